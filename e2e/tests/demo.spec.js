// Journeys on the demo company: the alumni list in 五十音順 and a returner's timeline.
const { test, expect } = require('@playwright/test');
const { login, sortKey } = require('./helpers');

test('the demo owner sees the alumni in kana order and a returner\'s timeline', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await expect(page.getByText(/^4\d\d人$/)).toBeVisible();
  await page.getByLabel('状態').selectOption({ label: 'アルムナイ' });
  await page.getByRole('button', { name: '絞り込む' }).click();
  await expect(page).toHaveURL(/status=alumnus/);
  const readings = await page.locator('table.people .reading').allTextContents();
  expect(readings.length).toBe(50);
  const sorted = [...readings].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  expect(readings).toEqual(sorted);
  await page.getByRole('link', { name: '次へ' }).click();
  await expect(page.getByText('2ページ')).toBeVisible();

  await page.goto('/people?status=returner');
  await page.locator('table.people tbody tr a').first().click();
  await expect(page.locator('h1 .badge')).toHaveText('出戻り');
  await expect(page.locator('.timeline > li.gap')).toContainText('離職期間');
  await expect(page.locator('.timeline > li:not(.gap)')).toHaveCount(2);
  await expect(page.getByText('現在')).toBeVisible();
});

test('the demo HR account signs in and sees the same people', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await expect(page.getByText(/^4\d\d人$/)).toBeVisible();
});

test('search answers as you type and finds the same people in any script', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.getByPlaceholder('人材を検索').fill('たなか');
  await page.getByPlaceholder('人材を検索').press('Enter');
  await expect(page).toHaveURL(/\/search\?q=/);
  const names = async () => page.locator('#search-results td.name a').allTextContents();
  const hiragana = await names();
  expect(hiragana.length).toBeGreaterThan(0);
  expect(hiragana.every((n) => n.startsWith('田中'))).toBe(true);
  // Typing replaces the results without a page load.
  for (const q of ['タナカ', 'ﾀﾅｶ', 'tanaka']) {
    await page.getByLabel('名前・ふりがな・メール・部署・メモで検索', { exact: true }).fill(q);
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(q)}`));
    expect(await names()).toEqual(hiragana);
  }
  await page.getByLabel('名前・ふりがな・メール・部署・メモで検索', { exact: true }).fill('😀');
  await expect(page.getByText('見つかりませんでした。')).toBeVisible();
});
