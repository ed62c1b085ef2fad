// Lighthouse (npm) driving Debian's chromium: scores for performance, accessibility, best
// practices and SEO of the pages given, as JSON on standard output, with the audits that cost points.
// Usage: node lighthouse.mjs URL...
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const urls = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const results = {};
try {
  for (const url of urls) {
    const run = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    });
    const lhr = run.lhr;
    const scores = {};
    const lost = [];
    for (const [id, category] of Object.entries(lhr.categories)) {
      scores[id] = Math.round((category.score ?? 0) * 100);
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const nodes = (audit.details?.items ?? [])
            .map((item) => item.node?.snippet ?? item.node?.selector)
            .filter(Boolean)
            .slice(0, 3);
          lost.push(`${id}: ${ref.id} (${audit.score}) ${audit.displayValue ?? ''} ${nodes.join(' | ')}`.trim());
        }
      }
    }
    results[url] = { scores, lost, runtimeError: lhr.runtimeError?.message ?? null };
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
