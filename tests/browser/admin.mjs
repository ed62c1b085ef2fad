// The newsroom's journeys through the admin in a real browser (Debian's Chromium, playwright-core):
// sign in; write, preview and publish an article and find it on the site; schedule one and see it
// appear; two editors save the same article; a contributor submits and an editor publishes;
// moderate a comment; upload photos to the library and into an article and see them load on the
// site; throttling after wrong passwords. axe-core checks the dashboard, the list, the editor and
// the media library; screenshots of the dashboard, the editor (desktop and phone), the queue, the
// library and an article with pictures.
// Usage: node admin.mjs BASE_URL SCREENSHOT_DIR PASSWORD PHOTO_DIR (holding IMG_2041.jpg and quay.jpg)
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const [base, shots, password, photos] = process.argv.slice(2);
if (!base || !shots || !password || !photos) throw new Error('usage: node admin.mjs BASE_URL SCREENSHOT_DIR PASSWORD PHOTO_DIR');
mkdirSync(shots, { recursive: true });
const check = (ok, what) => { if (!ok) throw new Error(`failed: ${what}`); };
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const step = (what) => console.log(`- ${what}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

async function signIn(email, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(base + '/admin/');
  check(page.url().includes('/admin/login'), 'the admin sends strangers to sign in');
  await page.fill('#user_login', email);
  await page.fill('#user_pass', password);
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
  check((await page.textContent('h1')).includes('Dashboard'), `${email} reaches the dashboard`);
  return page;
}

// axe-core: no serious or critical violations. The admin's CSP allows only its own scripts, so
// axe runs from this script's side (evaluate), not as an injected <script>.
async function axe(page, what) {
  await page.evaluate(axeSource);
  // First prove the check can fail: a field without a label must be reported.
  const probe = await page.evaluate(async () => {
    const input = document.createElement('input');
    input.id = 'axe-probe';
    document.body.append(input);
    const r = await window.axe.run('#axe-probe', { runOnly: ['label'] });
    input.remove();
    return r.violations.map((v) => v.id);
  });
  check(probe.includes('label'), `axe reports a planted violation on ${what}`);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const detail = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`).join('; ');
  check(bad.length === 0, `axe on ${what}: ${detail}`);
  console.log(`  axe ${what}: ${result.violations.length} minor or moderate, 0 serious`);
}

// A datetime-local value in the site's zone (UTC), written as a browser writes it: without
// the seconds when they are :00 (Chromium normalises them away, and Playwright's fill then
// reports the value it set as malformed, once a minute).
const inSiteZone = (msFromNow) => {
  const at = new Date(Date.now() + msFromNow).toISOString().slice(0, 19);
  return at.endsWith(':00') ? at.slice(0, 16) : at;
};

try {
  step('sign in');
  const admin = await signIn('admin@example.org');
  await admin.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });
  await axe(admin, 'the dashboard');

  step('moderate a comment');
  await admin.goto(base + '/admin/comments?status=pending');
  check((await admin.textContent('tbody')).includes('Held Reader'), 'the held comment waits in the queue');
  check((await admin.textContent('tbody')).includes('first comment from this email'), 'with the rule that held it');
  await admin.screenshot({ path: `${shots}/comment-queue.png`, fullPage: true });
  await Promise.all([admin.waitForNavigation(), admin.click('tbody tr:first-child button:has-text("Approve")')]);
  check((await admin.textContent('.notice')).includes('Comment updated'), 'approved');

  step('write, preview and publish an article, then find it on the site');
  const ed = await signIn('ed@example.org');
  await ed.goto(base + '/admin/posts');
  await axe(ed, 'the article list');
  await ed.goto(base + '/admin/posts/new');
  await ed.fill('#field-title', 'Browser-made story about the harbour');
  await ed.fill('#field-body', 'The **harbour** reopened -- at last.\n\nSecond paragraph.');
  await ed.click('[data-view="split"]');
  await ed.waitForFunction(() => document.querySelector('[data-preview]').innerHTML.includes('<strong>harbour</strong>'));
  check((await ed.textContent('[data-words]')) === '8', 'the word count follows the typing');
  // Pasting from a word processor gives clean Markdown.
  await ed.focus('#field-body');
  await ed.evaluate(() => {
    const body = document.querySelector('#field-body');
    body.setSelectionRange(body.value.length, body.value.length);
    const data = new DataTransfer();
    data.setData('text/html', '<p class="MsoNormal"><b><span style="font-family:Calibri">Pasted bold</span></b> and <i>italics</i></p>');
    data.setData('text/plain', 'Pasted bold and italics');
    body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await ed.waitForFunction(() => document.querySelector('#field-body').value.includes('**Pasted bold** and *italics*'));
  await axe(ed, 'the editor');
  await ed.screenshot({ path: `${shots}/editor-desktop.png`, fullPage: true });
  await ed.setViewportSize({ width: 390, height: 844 });
  await ed.screenshot({ path: `${shots}/editor-phone.png`, fullPage: true });
  await ed.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([ed.waitForNavigation(), ed.click('button[value="publish"]')]);
  check((await ed.textContent('.notice')).includes('Published'), 'published');
  await Promise.all([ed.waitForNavigation(), ed.click('text=View on the site')]);
  check((await ed.textContent('h1')).includes('Browser-made story'), 'the article is on the site');
  check((await ed.innerHTML('.article-body')).includes('<strong>Pasted bold</strong>'), 'the pasted bold survived');

  step('schedule an article and see it appear at its time');
  await ed.goto(base + '/admin/posts/new');
  await ed.fill('#field-title', 'Scheduled harbour update');
  await ed.fill('#field-body', 'Goes out on its own.');
  await ed.fill('#field-published_at', inSiteZone(6000));
  await Promise.all([ed.waitForNavigation(), ed.click('button[value="publish"]')]);
  check((await ed.textContent('.notice')).includes('Scheduled'), 'scheduled');
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(base + '/');
  check(!(await reader.content()).includes('Scheduled harbour update'), 'not on the front page before its time');
  let appeared = false;
  for (let i = 0; i < 30 && !appeared; i++) {
    await reader.waitForTimeout(500);
    await reader.goto(base + '/');
    appeared = (await reader.content()).includes('Scheduled harbour update');
  }
  check(appeared, 'the scheduled article appears on the front page at its time');

  step('two editors save the same article');
  await ed.goto(base + '/admin/posts?s=harbour&orderby=title');
  const editUrl = await ed.getAttribute('a.row-title:has-text("Browser-made story")', 'href');
  await ed.goto(base + editUrl);
  const ed2 = await signIn('ed2@example.org');
  await ed2.goto(base + editUrl);
  check((await ed2.textContent('[data-presence]')).includes('ed'), 'the second editor sees who else has it open');
  await ed.fill('#field-body', 'Ed rewrote the story.');
  await Promise.all([ed.waitForNavigation(), ed.click('button[value="save"]')]);
  check((await ed.textContent('.notice')).includes('Saved'), 'the first save goes through');
  await ed2.fill('#field-body', 'Ed2 wrote something else entirely.');
  const refused = await Promise.all([ed2.waitForNavigation(), ed2.click('button[value="save"]')]).then(([r]) => r);
  check(refused.status() === 409, `the second save is refused: ${refused.status()}`);
  check((await ed2.textContent('#conflict-title')).includes('saved this article'), 'with who saved first');
  check((await ed2.inputValue('#field-body')) === 'Ed2 wrote something else entirely.', 'nothing the second editor typed is lost');
  check((await ed2.textContent('.conflict .diff')).includes('Ed rewrote the story.'), 'and a diff against the newer version');

  step('a contributor submits and an editor publishes');
  const con = await signIn('con@example.org');
  await con.goto(base + '/admin/posts/new');
  check((await con.locator('button[value="publish"]').count()) === 0, 'contributors have no Publish button');
  await con.fill('#field-title', 'Contributor scoop on the ferry');
  await con.fill('#field-body', 'Filed for review.');
  await Promise.all([con.waitForNavigation(), con.click('button[value="submit"]')]);
  check((await con.textContent('.notice')).includes('Submitted for review'), 'submitted');
  await ed.goto(base + '/admin/');
  await Promise.all([ed.waitForNavigation(), ed.click('#review-title + ul a:has-text("Contributor scoop")')]);
  await Promise.all([ed.waitForNavigation(), ed.click('button[value="publish"]')]);
  check((await ed.textContent('.notice')).includes('Published'), 'the editor publishes it');
  await reader.goto(base + '/');
  check((await reader.content()).includes('Contributor scoop on the ferry'), 'on the site');

  step('upload a phone photo to the library, put pictures in an article and see them on the site');
  await ed.goto(base + '/admin/media');
  await axe(ed, 'the media library');
  await ed.setInputFiles('#files', `${photos}/IMG_2041.jpg`);
  await ed.fill('#up-alt', 'Fishing boats tied up along the harbour wall');
  await ed.fill('#up-credit', 'Photo: Ed Itor');
  await Promise.all([ed.waitForURL(/done=uploaded/), ed.click('[data-upload-form] button[type=submit]')]);
  check((await ed.textContent('.media-grid')).includes('IMG 2041'), 'the photo is in the library');
  await ed.screenshot({ path: `${shots}/media-library.png`, fullPage: true });
  await ed.goto(base + '/admin/posts/new');
  await ed.fill('#field-title', 'Harbour in pictures');
  await ed.fill('#field-body', 'The boats are back.\n\n');
  const phoneOption = await ed.locator('#featured-media option', { hasText: 'IMG 2041' }).getAttribute('value');
  await ed.selectOption('#featured-media', phoneOption);
  await ed.click('[data-insert-picture]');
  await ed.fill('#picker-alt', 'Passengers queue on the quay for the first ferry');
  await ed.setInputFiles('#picker-upload', `${photos}/quay.jpg`);
  await ed.waitForFunction(() => /!\[Passengers queue on the quay for the first ferry\]\(\/media\/\d+\)/.test(document.querySelector('#field-body').value));
  check(!(await ed.locator('dialog.picker').evaluate((d) => d.open)), 'the picker closes once the picture is placed');
  await Promise.all([ed.waitForNavigation(), ed.click('button[value="publish"]')]);
  check((await ed.textContent('.notice')).includes('Published'), `published with pictures: ${await ed.textContent('main')}`);
  await Promise.all([ed.waitForNavigation(), ed.click('text=View on the site')]);
  // Every picture actually loads: decoded, at the size the browser chose from the srcset.
  await ed.waitForFunction(() => [...document.querySelectorAll('main img')].every((i) => i.complete));
  const pictures = await ed.evaluate(() => [...document.querySelectorAll('.featured img, .article-body figure img')]
    .map((i) => ({ alt: i.alt, natural: i.naturalWidth, tall: i.naturalHeight > i.naturalWidth, src: i.currentSrc })));
  check(pictures.length === 2, `two pictures on the page: ${JSON.stringify(pictures)}`);
  check(pictures.every((p) => p.natural > 0), `every picture loads: ${JSON.stringify(pictures)}`);
  check(pictures.every((p) => p.src.endsWith('.webp')), `the browser picks WebP: ${JSON.stringify(pictures)}`);
  check(pictures[0].tall && pictures[0].alt.startsWith('Fishing boats'), 'the phone photo stands upright with its description');
  check((await ed.textContent('.featured figcaption')).includes('Photo: Ed Itor'), 'with its credit');
  check(pictures[1].alt.startsWith('Passengers queue'), 'the picture in the text has its description');
  await ed.screenshot({ path: `${shots}/article-with-pictures.png`, fullPage: true });

  step('throttling after repeated wrong passwords');
  const stranger = await (await browser.newContext()).newPage();
  let last = null;
  for (let i = 0; i < 6; i++) {
    await stranger.goto(base + '/admin/login');
    await stranger.fill('#user_login', 'admin@example.org');
    await stranger.fill('#user_pass', 'not the password');
    last = await Promise.all([stranger.waitForNavigation(), stranger.click('#wp-submit')]).then(([r]) => r);
  }
  check(last.status() === 429, `the sixth attempt is throttled: ${last.status()}`);
  check((await stranger.textContent('#form-error')).includes('Too many failed sign-in attempts'), 'with a clear message');
  await stranger.screenshot({ path: `${shots}/throttled.png` });
  console.log('browser admin test: ok');
} finally {
  await browser.close();
}
