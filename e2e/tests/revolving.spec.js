// Journeys of the revolving door beyond rehiring, on the demo company: the 社長 records support for a
// leaver's venture and a deal it brought, and opens the way back for a venture that closed; HR approves a
// side job flagged for a possible conflict of interest and renews one that is about to end.
const { test, expect } = require('@playwright/test');
const { login } = require('./helpers');

const yen = (text) => Number(text.replace(/[^0-9]/g, ''));

test('support for a venture and the business it brought add up; a closed venture opens the way back', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.getByRole('link', { name: 'つながり', exact: true }).click();
  await page.getByRole('navigation', { name: 'つながりの各ページ' }).getByRole('link', { name: '起業支援' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('起業支援');
  const fundingBefore = yen(await page.getByTestId('funding-total').textContent());
  const receivedBefore = yen(await page.getByTestId('received-total').textContent());

  await page.getByRole('link', { name: '合同会社ハママツデザイン' }).click();
  await expect(page.getByTestId('venture-stage')).toHaveText('成長');
  const ventureFunding = yen(await page.getByTestId('venture-funding').textContent());

  // A negative amount is refused, the form stays open with what was typed.
  await page.getByText('支援を記録する').click();
  await page.getByLabel('支援の種類').selectOption('funding');
  await page.getByLabel('金額（円）— 出資・融資').fill('-500000');
  await page.getByRole('button', { name: '支援を記録' }).click();
  await expect(page.getByText('金額は1円以上')).toBeVisible();
  await expect(page.getByLabel('金額（円）— 出資・融資')).toHaveValue('-500000');

  await page.getByLabel('金額（円）— 出資・融資').fill('500,000');
  await page.getByLabel('内容').first().fill('新しい検査機の購入資金');
  await page.getByRole('button', { name: '支援を記録' }).click();
  await expect(page.getByText('支援を記録しました。')).toBeVisible();
  await expect(page.getByTestId('venture-funding')).toHaveText(`${(ventureFunding + 500000).toLocaleString('en-US')}円`);

  // A deal the venture brought.
  const receivedVenture = yen(await page.getByTestId('venture-received').textContent());
  await page.getByText('取引を記録する').click();
  await page.getByLabel('関係').selectOption('client');
  await page.getByLabel('金額（円）', { exact: true }).fill('１,２００,０００');
  await page.getByRole('button', { name: '取引を記録' }).click();
  await expect(page.getByText('取引を記録しました。')).toBeVisible();
  await expect(page.getByTestId('venture-received')).toHaveText(`${(receivedVenture + 1200000).toLocaleString('en-US')}円`);

  await page.getByRole('link', { name: '起業支援' }).first().click();
  await expect(page.getByTestId('funding-total')).toHaveText(`${(fundingBefore + 500000).toLocaleString('en-US')}円`);
  await expect(page.getByTestId('received-total')).toHaveText(`${(receivedBefore + 1200000).toLocaleString('en-US')}円`);

  // The closed workshop: one click to the comeback pipeline.
  await page.getByRole('link', { name: '工房ミナト' }).click();
  await expect(page.getByTestId('venture-stage')).toHaveText('撤退');
  await expect(page.getByRole('heading', { name: '戻る道' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'リターンオファーを作る' })).toBeVisible();
  await page.getByRole('button', { name: '再雇用の流れへ' }).click();
  await expect(page).toHaveURL(/\/(comebacks|people)\//);

  // The same page in English.
  await page.goto('/ventures');
  await page.locator('#lang-select').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ventures');
  await expect(page.getByText('Business received').first()).toBeVisible();
  await page.locator('#lang-select').selectOption('ja');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('起業支援');
});

test('HR approves a side job flagged for a conflict of interest, then renews one about to end', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/side-jobs');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('副業');
  const pending = page.locator('section', { has: page.getByRole('heading', { name: /承認待ち/ }) });
  const row = pending.locator('tbody tr', { hasText: '有限会社三方原テクノ' });
  await expect(row.locator('.conflict').first()).toContainText('同じ業種（製造）');
  await row.getByRole('link', { name: '承認・却下する' }).click();
  await expect(page.getByTestId('conflict-result')).toContainText('競合');

  // Approving a flagged application without conditions is refused.
  await page.getByLabel('承認する').check();
  await page.getByRole('button', { name: '判断を記録' }).click();
  await expect(page.getByText('利益相反の可能性がある申請を承認するときは')).toBeVisible();
  await expect(page.getByLabel('承認する')).toBeChecked();
  await page.getByLabel('理由・条件').fill('当社の図面・顧客情報を使わないこと');
  await page.getByRole('button', { name: '判断を記録' }).click();
  await expect(page.getByText('副業を承認しました。')).toBeVisible();
  const approved = page.locator('section', { has: page.getByRole('heading', { name: '承認済みの副業' }) });
  await expect(approved).toContainText('有限会社三方原テクノ');

  // The renewal reminder on the home page leads to a form filled in from the day after it ends.
  await page.goto('/');
  const reminder = page.getByRole('link', { name: /カフェ浜名湖）の期限が近づいています/ });
  await expect(reminder).toBeVisible();
  await reminder.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('更新を申請');
  await expect(page.getByLabel('副業先')).toHaveValue('カフェ浜名湖');
  await page.getByRole('button', { name: '申請する' }).click();
  await expect(page.getByText('副業の申請を受け付けました。')).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('link', { name: /カフェ浜名湖）の期限が近づいています/ })).toHaveCount(0);
});
