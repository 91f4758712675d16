// Journeys of the relationship with alumni: on a 375 px phone screen, pick someone from the reconnect list,
// log a contact in a few taps and watch the warmth label change.
const { test, expect } = require('@playwright/test');
const { login } = require('./helpers');

test.use({ viewport: { width: 375, height: 740 } });

test('from a phone, HR logs a contact with a cold alumnus and the relationship warms', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/reconnect');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('つながり直したいアルムナイ');
  const row = page.locator('table.reconnect tbody tr').first();
  const name = (await row.locator('td.name a').textContent()).trim();
  await row.getByRole('link', { name: '接点を記録' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('接点を記録');
  const before = (await page.getByTestId('warmth').textContent()).trim();
  expect(['疎遠', 'ふつう']).toContain(before);

  // A date in the future is refused and nothing is saved.
  await page.getByLabel('飲み会').check();
  const tomorrow = new Date(Date.now() + 9 * 3600 * 1000 + 86400 * 1000).toISOString().slice(0, 10);
  await page.getByLabel('いつ').fill(tomorrow);
  await page.getByRole('button', { name: '記録する' }).click();
  await expect(page.getByText('未来の日付の接点は記録できません。')).toBeVisible();
  await expect(page.getByLabel('飲み会')).toBeChecked();

  // Today, at drinks: two taps and a button.
  const today = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
  await page.getByLabel('いつ').fill(today);
  await page.getByLabel('メモ').fill('駅前の居酒屋で偶然会って一杯');
  await page.getByRole('button', { name: '記録する' }).click();
  await expect(page.getByText('接点を記録しました。')).toBeVisible();
  await expect(page.locator('h1')).toContainText(name);
  await expect(page.getByTestId('warmth')).toHaveText('温かい');
  await expect(page.locator('ul.touchpoints')).toContainText('駅前の居酒屋で偶然会って一杯');
  await expect(page.getByText(`最後の接点 ${today.replaceAll('-', '/')}`)).toBeVisible();
  // Nothing is wider than the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // The person is off the reconnect list.
  await page.goto('/reconnect');
  await expect(page.locator('table.reconnect')).not.toContainText(name);
});
