// A reader leaves a comment in a real browser: a refused form keeps their text, an accepted one
// shows the moderation notice to them, and their details are remembered when they consent.
// Usage: node comment.mjs BASE_URL ARTICLE_PATH
import { chromium } from 'playwright-core';

const [base, path] = process.argv.slice(2);
if (!base || !path) throw new Error('usage: node comment.mjs BASE_URL ARTICLE_PATH');
const check = (ok, what) => { if (!ok) throw new Error(`failed: ${what}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  await page.goto(base + path);
  check((await page.textContent('#reply-title')).includes('Leave a Reply'), 'the form is there');

  // The server refuses a form without a name (the browser's own check is switched off to reach it).
  await page.fill('#comment', 'Written in a real browser — with “quotes”.');
  await page.fill('#email', 'browser@example.net');
  await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
  await page.waitForTimeout(3200); // forms sent back sooner than 3 s are refused as bots'
  const refused = await Promise.all([page.waitForNavigation(), page.click('#submit')]).then(([r]) => r);
  check(refused.status() === 422, `refused with 422, got ${refused.status()}`);
  check((await page.textContent('#author-error')).includes('Please enter your name'), 'message beside the name field');
  check((await page.inputValue('#comment')) === 'Written in a real browser — with “quotes”.', 'the comment text survived');
  check((await page.inputValue('#email')) === 'browser@example.net', 'the email survived');

  await page.fill('#author', 'Browser Reader');
  await page.check('#wp-comment-cookies-consent');
  await page.waitForTimeout(3200);
  await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  check(/#comment-\d+$/.test(page.url()), `redirected to the comment anchor: ${page.url()}`);
  const notice = await page.textContent('.comment-awaiting-moderation');
  check(notice.includes('Your comment is awaiting moderation.'), 'the moderation notice');
  check((await page.textContent('.comment.pending .comment-content')).includes('Written in a real browser'), 'own held comment shown');
  await page.screenshot({ path: process.env.SCREENSHOT || '/tmp/newsroom-comment.png', fullPage: false });

  await page.goto(base + path);
  check((await page.inputValue('#author')) === 'Browser Reader', 'name remembered with consent');

  const stranger = await browser.newPage();
  await stranger.goto(base + path);
  check((await stranger.locator('.comment-awaiting-moderation').count()) === 0, 'no notice for others');
  check(!(await stranger.content()).includes('Written in a real browser'), 'held comment hidden from others');
  console.log('browser comment test: ok');
} finally {
  await browser.close();
}
