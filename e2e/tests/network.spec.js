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

test('who do we know at a company: one search, then a deal they brought adds to the year', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/network');
  const totalBefore = (await page.getByTestId('business-total').textContent()).trim();
  await page.getByLabel('会社名・業種・職種で探す').fill('ミライデジタル');
  await page.getByRole('button', { name: '探す' }).click();
  const group = page.locator('article.employer', { hasText: '株式会社みらいデジタル' });
  await expect(group).toBeVisible();
  await expect(page.locator('article.employer')).toHaveCount(1);
  const person = group.locator('li a').first();
  const name = (await person.textContent()).trim();
  await person.click();
  await expect(page.locator('h1')).toContainText(name);

  await page.getByRole('button', { name: '紹介・取引を記録' }).click();
  await page.getByLabel('種類').selectOption('business');
  await page.getByLabel('取引先').fill('株式会社みらいデジタル');
  await page.getByLabel('金額（円）').fill('-50000');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('金額は1円以上10,000,000,000円以下の数字で入力してください。')).toBeVisible();
  await expect(page.getByLabel('取引先')).toHaveValue('株式会社みらいデジタル');
  await page.getByLabel('金額（円）').fill('2,500,000');
  await page.getByLabel('メモ').fill('Web広告の運用を受託');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('紹介・取引を記録しました。')).toBeVisible();
  await expect(page.locator('ul.contributions')).toContainText('2,500,000円');

  await page.goto('/network');
  const before = Number(totalBefore.replace(/[^0-9]/g, ''));
  await expect(page.getByTestId('business-total')).toHaveText(`${(before + 2500000).toLocaleString('en-US')}円`);
});

test('a 週2日 contract for an alumnus shows in the week view and in their status', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/people?status=alumnus');
  const first = page.locator('table.people tbody tr a').first();
  const name = (await first.textContent()).trim();
  await first.click();
  await page.getByRole('button', { name: '業務委託を登録' }).click();
  await page.getByLabel('業務内容').fill('Web広告の運用');
  await page.getByLabel('報酬（円）').fill('35,000');
  await page.getByRole('button', { name: '登録する' }).click();
  await expect(page.getByText('働く曜日を1日以上選んでください。')).toBeVisible();
  await expect(page.getByLabel('業務内容')).toHaveValue('Web広告の運用');
  await page.getByLabel('月', { exact: true }).check();
  await page.getByLabel('木', { exact: true }).check();
  await page.getByRole('button', { name: '登録する' }).click();
  await expect(page.getByText('業務委託を登録しました。')).toBeVisible();
  await expect(page.locator('h1 .badge')).toHaveText('業務委託');
  await expect(page.locator('ul.engagements')).toContainText('週2日（月・木）');

  await page.goto('/engagements');
  const monday = page.locator('.week-day', { has: page.getByRole('heading', { name: '月', exact: true }) });
  const tuesday = page.locator('.week-day', { has: page.getByRole('heading', { name: '火', exact: true }) });
  await expect(monday).toContainText(name);
  await expect(tuesday).not.toContainText(name);
  await expect(page.locator('table.engagements')).toContainText('Web広告の運用');

  // The list filters by standing and day (the choices show their counts) and keeps the choice.
  await page.getByLabel('状態').selectOption('active');
  await page.getByLabel('曜日').selectOption('thu');
  await page.getByRole('button', { name: '絞り込む' }).click();
  await expect(page).toHaveURL(/status=active&day=thu/);
  await expect(page.locator('table.engagements')).toContainText(name);
  await expect(page.getByLabel('曜日')).toHaveValue('thu');
  await expect(page.locator('#filter-status option[value="active"]')).toHaveText(/契約中（\d+）/);
  await page.getByLabel('曜日').selectOption('sat');
  await page.getByRole('button', { name: '絞り込む' }).click();
  await expect(page).toHaveURL(/day=sat/);
  await expect(page.locator('section[aria-labelledby="all-h"]')).not.toContainText(name);
});
