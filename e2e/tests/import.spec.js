// Journey of importing an HR system's export on the page: a Shift_JIS CSV with an unknown column, a row
// with an impossible date, the dry run, the column mapping remembered, importing only the valid rows, the
// same file again creating nobody, and the people list downloaded as Excel.
const path = require('path');
const { test, expect } = require('@playwright/test');
const { login } = require('./helpers');

const file = path.join(__dirname, '..', 'fixtures', 'hr-export-sjis.csv');

test('HR imports a Shift_JIS export: problems by row and column, valid rows only, no duplicates the second time', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.getByRole('button', { name: '取り込み', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('人事データの取り込み');
  await page.getByLabel('ファイル').setInputFiles(file);
  await page.getByRole('button', { name: '確認する' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('取り込み前の確認');
  await expect(page.getByText('Shift_JIS')).toBeVisible();
  await expect(page.getByTestId('import-problems')).toContainText('4行目「退職日」: 日付「令和6年2月30日」を読み取れません');
  await expect(page.getByTestId('import-created')).toHaveText('2');
  await expect(page.getByTestId('import-rejected')).toHaveText('1');

  // The unknown column is mapped by hand and remembered.
  await expect(page.locator('tr.unmapped', { hasText: '連絡先メール' })).toBeVisible();
  await page.getByLabel('連絡先メール').selectOption('email');
  await page.getByRole('button', { name: '割り当てを保存して確認し直す' }).click();
  await expect(page.locator('tr.unmapped', { hasText: '連絡先メール' })).toHaveCount(0);
  await expect(page.getByLabel('連絡先メール')).toHaveValue('email');

  // With a problem left, importing needs the choice to leave that row out.
  await page.getByLabel(/問題のある行を除き、2行だけを取り込む/).check();
  await page.getByRole('button', { name: '取り込む' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('取り込みました');
  await expect(page.getByTestId('import-created')).toHaveText('2');

  await page.getByRole('button', { name: '人材一覧へ' }).click();
  await page.locator('#nav-search').fill('フルカワ');
  await page.locator('#nav-search').press('Enter');
  await page.getByRole('link', { name: /古川 朋美/ }).first().click();
  await expect(page.getByText('K-9001')).toBeVisible();
  await expect(page.getByText('tomomi.furukawa@example.jp')).toBeVisible();

  // The same file again: nobody new.
  await page.goto('/people/import');
  await page.getByLabel('ファイル').setInputFiles(file);
  await page.getByRole('button', { name: '確認する' }).click();
  await expect(page.getByTestId('import-created')).toHaveText('0');
  await expect(page.getByTestId('import-unchanged')).toHaveText('2');
  // The same check in English.
  await page.locator('#lang-select').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check before importing');
  await expect(page.getByTestId('import-problems')).toContainText('Line 4, "退職日": The date "令和6年2月30日" cannot be read');
  await page.locator('#lang-select').selectOption('ja');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('取り込み前の確認');

  // The list downloads as Excel.
  await page.goto('/people?status=alumnus');
  await page.getByText('ダウンロード').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Excel（.xlsx）' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^kaeru-people-\d{8}\.xlsx$/);
});
