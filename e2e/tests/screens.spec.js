// Screens that fit: every page the owner can reach by links (one of each kind) is walked on a phone (375 px)
// and none scrolls sideways; on a desktop (1280 px) the header is one row in Japanese and in English; on a
// phone the menu opens from its button; a form's address opened again leads back to its page.
const { test, expect } = require('@playwright/test');
const { login } = require('./helpers');

const OWNER = { email: 'shacho@sakura-seiki.example', password: 'kaeru-demo-2026' };
const SKIP = /logout|\.csv|\.pdf|\.xlsx|\.vcf|\.ics|vcard|export|download|\/static\/|\/api\//;

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('no page the owner can reach scrolls sideways', async ({ page }) => {
    test.setTimeout(240_000);
    await login(page, OWNER.email, OWNER.password);
    const kind = (p) => p.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id').replace(/[?#].*$/, '');
    const kinds = new Set(['/']);
    const queue = ['/', '/c/sakura-seiki'];
    const wide = [];
    let visited = 0;
    while (queue.length && visited < 150) {
      const p = queue.shift();
      const r = await page.goto(p);
      if (!r || !(r.headers()['content-type'] || '').includes('text/html')) continue;
      visited++;
      const { width, links } = await page.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        links: [...document.querySelectorAll('a[href^="/"]')].map((a) => a.getAttribute('href')),
      }));
      if (width > 375) wide.push(`${p} is ${width} px wide`);
      for (const l of links) {
        if (SKIP.test(l)) continue;
        const k = kind(l);
        if (!kinds.has(k)) {
          kinds.add(k);
          queue.push(l.split('#')[0]);
        }
      }
    }
    expect(visited).toBeGreaterThan(40);
    expect(wide).toEqual([]);
  });

  test('the menu opens from its button; the reconnect list is cards, a page at a time', async ({ page }) => {
    await login(page, OWNER.email, OWNER.password);
    await page.goto('/');
    const header = await page.locator('header').boundingBox();
    expect(header.height).toBeLessThan(80);
    await expect(page.getByRole('link', { name: '人材', exact: true })).toBeHidden();
    await page.locator('label.nav-toggle-label').click();
    await expect(page.getByRole('link', { name: '人材', exact: true })).toBeVisible();
    await page.getByRole('link', { name: 'つながり', exact: true }).click();
    await page.goto('/reconnect');
    const rows = page.locator('table.reconnect tbody tr');
    expect(await rows.count()).toBeLessThanOrEqual(25);
    expect((await page.evaluate(() => document.documentElement.scrollHeight))).toBeLessThan(9000);
  });
});

test.describe('on a desktop', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the header is one row in both languages; the search button stays whole; a form address leads back', async ({ page }) => {
    await login(page, OWNER.email, OWNER.password);
    for (const lang of ['ja', 'en']) {
      await page.locator('#lang-select').selectOption(lang);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const header = await page.locator('header').boundingBox();
      expect(header.height, `header in ${lang}`).toBeLessThan(80);
    }
    await page.locator('#lang-select').selectOption('ja');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
    await page.goto('/search?q=%E3%81%95');
    const button = await page.getByRole('button', { name: '検索' }).boundingBox();
    const field = await page.locator('#search-q').boundingBox();
    expect(button.height).toBeLessThanOrEqual(field.height + 2);
    expect(Math.abs(button.y - field.y)).toBeLessThan(4);
    // A person's name is a real heading even without romaji.
    await page.goto('/people');
    await page.locator('table.people td.name a').first().click();
    const size = await page.locator('h1').evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    expect(size).toBeGreaterThan(24);
    // A post-only address opened again shows the page it belongs to, not a blank 405.
    const personUrl = page.url();
    const r = await page.goto(`${personUrl}/touchpoints`);
    expect(r.status()).toBe(200);
    await expect(page).toHaveURL(personUrl);
  });
});
