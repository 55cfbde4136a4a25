// Opens a notebook exported by `jupyter nbconvert --to html` in headless Chromium, as a reader opens a shared
// HTML file, and photographs every figure in its outputs (SVG charts and diagrams, PNG heatmaps), so that the
// caller can check that each one shows something. Prints a JSON list: per figure, the MIME type nbconvert
// chose for its output, the element, its rendered size and the file of its screenshot.
//
//   node html_figures.cjs PAGE.html OUT_DIR [CELL_TEXT SHOT.png]
// With CELL_TEXT, the outputs of the first code cell whose source contains it are also photographed together.
// PLAYWRIGHT_CORE names the installed playwright-core folder; CHROMIUM the browser (Debian's).
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const [page_file, outDir, cellText, cellShot] = process.argv.slice(2);
const TIMEOUT = 60_000;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // An exported page loads its scripts (MathJax, require.js) from local files; nothing else may be fetched.
    await page.route('**/*', route => /^(file|data):/.test(route.request().url()) ? route.continue() : route.abort());
    await page.goto('file://' + path.resolve(page_file), { timeout: TIMEOUT, waitUntil: 'load' });
    // Images decode asynchronously: wait until every <img> has finished, loaded or broken.
    await page.waitForFunction(() => [...document.images].every(i => i.complete), null, { timeout: TIMEOUT });

    const handles = await page.$$('.jp-OutputArea-output img, .jp-OutputArea-output svg:not(svg svg)');
    const figures = [];
    for (let i = 0; i < handles.length; i++) {
      const figure = handles[i];
      const info = await figure.evaluate(e => {
        const r = e.getBoundingClientRect();
        const output = e.closest('[data-mime-type]');
        return { element: e.tagName.toLowerCase(), mime: output ? output.getAttribute('data-mime-type') : '',
                 width: r.width, height: r.height, loaded: e.tagName.toLowerCase() !== 'img' || e.naturalWidth > 0 };
      });
      info.file = path.join(outDir, 'figure-' + String(i + 1).padStart(2, '0') + '.png');
      if (info.width > 0 && info.height > 0) {
        await figure.scrollIntoViewIfNeeded();
        await figure.screenshot({ path: info.file });
      } else {
        info.file = '';
      }
      figures.push(info);
    }
    if (cellText) {
      const cells = await page.$$('.jp-CodeCell');
      for (const cell of cells) {
        const source = await cell.$eval('.jp-InputArea', e => e.textContent);
        if (source.includes(cellText)) {
          const outputs = await cell.$('.jp-Cell-outputWrapper');
          // The figures of one cell can be taller than the window: make the window as tall as the page.
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          await page.setViewportSize({ width: 1280, height: Math.min(height, 16000) });
          await outputs.screenshot({ path: cellShot });
          break;
        }
      }
    }
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e.stack || String(e)); process.exit(1); });
