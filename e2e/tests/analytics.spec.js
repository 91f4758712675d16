// The analytics on the demo company, as the 社長 reads them: each section's charts are SVG with a title, a
// data table under each and the definition one click away; the CSV of a chart downloads; the department
// filter narrows the figures; the policy date set in the settings turns the before/after comparison on; the
// home page shows this month's figures and the to-dos grouped, the rest of a group one tap away; English too.
const { test, expect } = require('@playwright/test');
const fs = require('fs');
const { login } = require('./helpers');

const OWNER = { email: 'shacho@sakura-seiki.example', password: 'kaeru-demo-2026' };

test('the owner reads turnover, returns and retention with their definitions, downloads a table, and sees them in English', async ({ page }) => {
  await login(page, OWNER.email, OWNER.password);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /の成果（今日まで）/ })).toBeVisible();
  await expect(page.locator('.month-figures .count')).toHaveCount(4);
  // To-dos grouped, each group showing five at most with the rest behind 「ほかN件を表示」.
  const groups = page.locator('article.todo-group');
  expect(await groups.count()).toBeGreaterThan(1);
  for (const g of await groups.all()) {
    expect(await g.locator(':scope > ul.todos > li').count()).toBeLessThanOrEqual(5);
  }
  await page.getByRole('link', { name: '分析', exact: true }).click();
  await expect(page).toHaveURL(/\/analytics\/turnover$/);
  await expect(page.getByRole('heading', { name: '離職率の推移' })).toBeVisible();
  const chart = page.locator('#turnover svg[role="img"]');
  await expect(chart).toBeVisible();
  await expect(chart.locator('title').first()).toHaveText('離職率の推移');
  // The definition, one click away.
  const def = page.locator('#turnover details.definition');
  await def.locator('summary').click();
  await expect(def).toContainText('厚生労働省');
  // The table under the chart holds the same years as the chart.
  const rows = page.locator('#turnover table.data tbody tr');
  expect(await rows.count()).toBeGreaterThan(3);
  // Download the table; it reads back with the same rows.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#turnover a[download]').click(),
  ]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  expect(csv.startsWith('\ufeff年,')).toBeTruthy();
  expect(csv.trim().split('\r\n').length).toBe((await rows.count()) + 1);

  // A department narrows the figures.
  const before = await page.locator('.key-figures .count').first().textContent();
  await page.locator('#f-department').selectOption({ index: 1 });
  await page.getByRole('button', { name: '表示' }).click();
  await expect(page).toHaveURL(/department=/);
  expect(await page.locator('.key-figures .count').first().textContent()).not.toBe(before);

  // Returns and retention: the curves are drawn for the demo's 25 returners and the outside hires.
  await page.goto('/analytics/retention');
  await expect(page.locator('#survival svg path')).toHaveCount(2);
  await expect(page.locator('#survival table.data tbody tr')).toHaveCount(2);
  await expect(page.locator('#policy')).toContainText('の前と後の同じ長さの期間を比べています');

  // The research, so nobody over-reads the figures.
  await page.getByRole('link', { name: '研究では' }).click();
  await expect(page.getByText('Journal of Management')).toBeVisible();
  await expect(page.getByText('Academy of Management Journal')).toBeVisible();

  // English.
  await page.locator('#lang-select').selectOption('en');
  await page.getByRole('link', { name: 'Turnover' }).click();
  await expect(page.getByRole('heading', { name: 'Turnover by year' })).toBeVisible();
  await page.locator('#lang-select').selectOption('ja');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
});

test('the policy date and the cost of a hire are set in the settings; a bad fee comes back with what was typed', async ({ page }) => {
  await login(page, OWNER.email, OWNER.password);
  await page.goto('/settings/policy');
  await page.getByLabel('人材紹介の手数料率（%）').fill('150');
  await page.getByLabel('出戻り歓迎の方針を導入した日').fill('2099-04-01');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('0から100までの数字で入力してください。')).toBeVisible();
  await expect(page.getByLabel('人材紹介の手数料率（%）')).toHaveValue('150');
  await page.getByLabel('人材紹介の手数料率（%）').fill('35');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('保存しました。')).toBeVisible();
  await page.goto('/analytics/retention');
  await expect(page.locator('#policy')).toContainText('未来の日付');
  await page.goto('/analytics/savings');
  await expect(page.locator('#savings details.definition')).toContainText('35%');
  // Put the demo's date back for the journeys after this one.
  await page.goto('/settings/policy');
  const y = new Date().getFullYear() - 3;
  await page.getByLabel('出戻り歓迎の方針を導入した日').fill(`${y}-04-01`);
  await page.getByLabel('人材紹介の手数料率（%）').fill('30');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('保存しました。')).toBeVisible();
});
