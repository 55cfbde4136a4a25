// Opens a notebook in the classic Jupyter Notebook (6.x) in headless Chromium, runs every cell through
// the Cell menu as a reader would, waits until the kernel is idle and every code cell has run, takes a
// screenshot and prints a JSON summary of what the page shows.
//
//   node run_notebook.cjs URL SCREENSHOT.png
// PLAYWRIGHT_CORE names the installed playwright-core folder; CHROMIUM the browser (Debian's).
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const [url, screenshot] = process.argv.slice(2);
const TIMEOUT = 120_000;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // The machine's network is closed: Chromium's background services would only fail and retry.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url, { timeout: TIMEOUT });
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
        && Jupyter.notebook.kernel.is_connected(), null, { timeout: TIMEOUT });
    await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: TIMEOUT });

    await page.click('#celllink');                 // the Cell menu
    await page.click('#run_all_cells > a');        // Cell > Run All

    await page.waitForFunction(() => {
      const prompts = [...document.querySelectorAll('.code_cell .input_prompt')].map(p => p.textContent);
      const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
      return idle && prompts.length > 0 && prompts.every(p => /In\s*\[\d+\]/.test(p));
    }, null, { timeout: TIMEOUT, polling: 250 });

    await page.waitForFunction(() => [...document.images].every(i => i.complete), null, { timeout: TIMEOUT });
    const summary = await page.evaluate(() => {
      // SVG figures show as <img> with a data: URI (SvgBundle); read the pictures the page shows.
      const figures = [...document.querySelectorAll('.output_html img.llmgraph-figure')];
      const svgs = figures.map(img => {
        const bytes = Uint8Array.from(atob(img.src.split(',')[1]), c => c.charCodeAt(0));
        return new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml').documentElement;
      });
      const charts = svgs.filter(s => s.classList.contains('llmgraph-chart'));
      return {
        codeCells: document.querySelectorAll('.code_cell').length,
        prompts: [...document.querySelectorAll('.code_cell .input_prompt')]
            .map(p => p.textContent.replace(/\s+/g, ' ').trim()),  // the page uses no-break spaces
        htmlTables: document.querySelectorAll('.output_html table.llmgraph-devices').length,
        figuresDrawn: figures.filter(img => img.naturalWidth > 0 && img.getBoundingClientRect().height > 0).length,
        svgCharts: charts.length,
        svgBars: charts.reduce((n, s) => n + s.querySelectorAll('rect').length, 0),
        blockDiagramNodes: [...new Set(svgs.flatMap(s => [...s.querySelectorAll('[data-node]')])
            .map(e => e.getAttribute('data-node')))],
        errors: [...document.querySelectorAll('.output_error')].map(e => e.textContent),
        stdout: [...document.querySelectorAll('.output_stdout')].map(e => e.textContent).join(''),
        kernelName: Jupyter.notebook.kernel.name,
      };
    });
    // The notebook scrolls inside #site, not the page: make the window tall enough to show every cell.
    const height = await page.evaluate(() => document.querySelector('#header').offsetHeight
        + document.querySelector('#notebook').scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.min(height + 40, 16000) });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify(summary));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e.stack || String(e)); process.exit(1); });
