// DAISY Ace over many EPUBs in one Node process and one headless browser.
//
//   node tests/support/ace_batch.js REPORTS_DIR BOOK.epub...
//
// Ace's own command line checks one book and starts a browser for it; here
// Ace's core runs on each book with its puppeteer runner, whose browser is
// launched once (the runner's launch/close are called per book by Ace's
// checker, so they are made no-ops around one launch) and books are checked
// two at a time. The browser is the one PUPPETEER_EXECUTABLE_PATH names
// (tests/support/chromium-for-ace: Debian's chromium with flags that make it
// cheaper for Ace); the runner passes --no-sandbox itself.
// For each book one line: RESULT <violations> <path>, then one line per
// violation: VIOLATION <impact> <rule> <file> <description>.
'use strict';

const path = require('path');
const fs = require('fs');
const tools = path.join(__dirname, '..', 'tools', 'node_modules');
const ace = require(path.join(tools, '@daisy/ace-core'));
const logger = require(path.join(tools, '@daisy/ace-logger'));
const runner = require(path.join(tools, '@daisy/ace-axe-runner-puppeteer'));

const BOOKS_AT_ONCE = 2;

function violations(report) {
  const found = [];
  for (const doc of report.assertions || []) {
    const file = (doc['earl:testSubject'] || {}).url || '';
    for (const a of doc.assertions || []) {
      if ((a['earl:result'] || {})['earl:outcome'] !== 'fail') continue;
      const test = a['earl:test'] || {};
      const desc = String((a['earl:result'] || {})['dct:description'] || '').replace(/\s+/g, ' ');
      found.push(`VIOLATION ${test['earl:impact']} ${test['dct:title']} ${file} ${desc}`);
    }
  }
  return found;
}

async function main() {
  const [outdir, ...books] = process.argv.slice(2);
  logger.initLogger({ silent: true });
  const t0 = Date.now();
  await runner.launch();
  if (process.env.ACE_BATCH_TIMES) console.error(`launch ${Date.now() - t0} ms`);
  const shared = {
    concurrency: runner.concurrency,
    setTimeout: (ms) => runner.setTimeout(ms),
    launch: async () => {},
    close: async () => {},
    run: (...args) => runner.run(...args),
  };
  let next = 0;
  async function worker() {
    while (next < books.length) {
      const book = books[next++];
      const reportDir = path.join(outdir, `${next}-${path.basename(book, '.epub')}`);
      fs.mkdirSync(reportDir, { recursive: true });
      try {
        const [, report] = await ace(book, { cwd: process.cwd(), outdir: reportDir, silent: true }, shared);
        const found = violations(report);
        if (process.env.ACE_BATCH_TIMES) console.error(`${book} ${Date.now() - t0} ms`);
        process.stdout.write(`RESULT ${found.length} ${book}\n` + found.map((l) => l + '\n').join(''));
      } catch (err) {
        process.stdout.write(`FAILED ${book} ${String(err && err.message || err).replace(/\s+/g, ' ')}\n`);
      }
    }
  }
  await Promise.all(Array.from({ length: BOOKS_AT_ONCE }, worker));
  await runner.close();
}

main().catch((err) => { console.error(err); process.exit(1); });
