// Opens the partner page in headless Chromium (Debian's, through Playwright) and prints what it
// rendered as JSON; keeps a screenshot. Arguments: the page's URL, the screenshot's path.
import { chromium } from "playwright";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector('#events[aria-busy="false"]', { timeout: 15000 });
  await page.waitForSelector('#documents[aria-busy="false"]', { timeout: 15000 });
  const rendered = {
    events: await page.locator("#events li").allInnerTexts(),
    documents: await page.locator("#documents li").allInnerTexts(),
    status: await page.locator("#status").innerText(),
    errors,
  };
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(rendered));
} finally {
  await browser.close();
}
