// pa11y (HTML_CodeSniffer, WCAG 2 AA) over many addresses with one Chromium, for tests/pa11y.py.
// Usage: node tests/pa11y.cjs CONFIG.json; CONFIG: {"urls": [...], "hideElements": "..."}.
// Prints one JSON object: {url: [issue, ...]}. Node finds pa11y through NODE_PATH (.tools/).
const fs = require("fs");
const pa11y = require("pa11y");
const puppeteer = require("puppeteer");

(async () => {
  const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const browser = await puppeteer.launch({executablePath: "/usr/bin/chromium", args: ["--no-sandbox"]});
  const found = {};
  const waiting = [...config.urls];
  const check = async () => {  // two at a time: one page loads while the other is checked
    for (let url = waiting.shift(); url; url = waiting.shift()) {
      const result = await pa11y(url, {browser, standard: "WCAG2AA", hideElements: config.hideElements,
                                       timeout: 60000});
      found[url] = result.issues;
    }
  };
  try {
    await Promise.all([check(), check()]);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(found));
})().catch((error) => { console.error(error); process.exit(1); });
