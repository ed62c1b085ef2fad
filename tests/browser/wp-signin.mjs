// Someone moved from WordPress signs in with the password they had there (a phpass hash brought
// by `newsroom import wp-users`), in a real browser. Usage: node wp-signin.mjs BASE LOGIN PASSWORD
import { chromium } from 'playwright-core';

const [base, login, password] = process.argv.slice(2);
const check = (ok, what) => { if (!ok) throw new Error(`failed: ${what}`); };
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base + '/admin/login');
  await page.fill('#user_login', login);
  await page.fill('#user_pass', 'not the WordPress password');
  await Promise.all([page.waitForLoadState(), page.click('#wp-submit')]);
  check(page.url().includes('/admin/login'), 'a wrong password stays on the sign-in page');
  await page.fill('#user_login', login);
  await page.fill('#user_pass', password);
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
  check((await page.textContent('h1')).includes('Dashboard'), `${login} reaches the dashboard with the WordPress password`);
  console.log('wordpress sign-in: ok');
} finally {
  await browser.close();
}
