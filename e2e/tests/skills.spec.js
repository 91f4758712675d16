// Journeys on the demo company: the skill-gap view, an opening ranking alumni with readable reasons, starting a
// comeback from a result, recording a skill, and the bad input of openings and weights.
const { test, expect } = require('@playwright/test');
const { login } = require('./helpers');

test('the gap view names alumni who have skills nobody inside has', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.getByRole('link', { name: 'スキル', exact: true }).click();
  await expect(page).toHaveURL(/\/skills\/gaps$/);
  await expect(page.getByTestId('gap-headline')).toHaveText(/社内にいないスキル\d+件のうち、\d+件をアルムナイのネットワークで補えます/);
  const dm = page.locator('article.gap', { has: page.getByRole('heading', { name: /デジタルマーケティング/ }) });
  await expect(dm.getByText('社内にいない')).toBeVisible();
  await expect(dm.getByText('社内（在籍・出戻り）で持っている人：0人')).toBeVisible();
  expect(await dm.locator('.holders a').count()).toBeGreaterThan(0);
  await page.getByRole('link', { name: 'スキル一覧' }).click();
  await expect(page.getByText('Web広告運用、SNSマーケティング、Webマーケティング')).toBeVisible();
});

test('an opening ranks first the alumna with the skill, an offer and 今すぐ, with reasons; one click starts her comeback', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.getByRole('link', { name: '求人', exact: true }).click();
  await page.getByRole('link', { name: 'Web集客担当（週3日）' }).click();
  await expect(page.getByRole('heading', { name: '合いそうなアルムナイ' })).toBeVisible();
  const first = page.getByTestId('match').first();
  await expect(first.locator('.reasons')).toContainText('デジタルマーケティング レベル4（必要3以上）・退職後に習得');
  await expect(first.locator('.reasons')).toContainText('復帰の意向：今すぐ');
  await expect(first.locator('.reasons')).toContainText('有効なリターンオファーあり');
  await expect(first.locator('.reasons')).toContainText('希望の働き方：週3日');
  const name = (await first.locator('.who a').textContent()).trim();
  const score = Number(await first.locator('.score strong').textContent());
  const second = Number(await page.getByTestId('match').nth(1).locator('.score strong').textContent());
  expect(score).toBeGreaterThanOrEqual(second);

  // The same page in English.
  await page.getByLabel('表示言語').selectOption('en');
  await expect(page.getByRole('heading', { name: 'Alumni who fit' })).toBeVisible();
  await expect(page.getByTestId('match').first().locator('.reasons')).toContainText('Return intent: Now');
  await page.getByLabel('Language').selectOption('ja');
  await expect(page.getByRole('heading', { name: '合いそうなアルムナイ' })).toBeVisible();

  // Search finds her by an alias of her skill.
  await page.getByPlaceholder('人材を検索').fill('Web広告');
  await page.getByPlaceholder('人材を検索').press('Enter');
  await expect(page.locator('#search-results')).toContainText(name);

  await page.goBack();
  await page.goBack();
  await page.getByTestId('match').first().getByRole('button', { name: '復帰の流れを始める' }).click();
  await expect(page).toHaveURL(/\/comebacks\//);
  await expect(page.locator('h1')).toContainText(name);
  await expect(page.getByText('求人「Web集客担当（週3日）」の候補として')).toBeVisible();
});

test('HR records a skill gained after leaving and it shows on the person page', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/people?status=alumnus');
  const href = await page.locator('table.people tbody tr a').nth(3).getAttribute('href');
  await page.goto(href);
  await expect(page.getByRole('heading', { name: 'スキル', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'スキルを記録' }).click();
  await expect(page).toHaveURL(/\/skills$/);
  await page.getByLabel('スキル', { exact: true }).selectOption({ label: 'ECサイト運営（営業・マーケティング）' });
  await page.getByLabel('レベル').selectOption({ label: '3 — 中級：仕事として一人で任せられる' });
  await page.getByLabel('時期').selectOption({ label: '退職後に習得' });
  await page.getByLabel('評価日').fill('2030-01-01');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('未来の日付は入力できません。')).toBeVisible();
  await expect(page.getByLabel('スキル', { exact: true })).toHaveValue(/[0-9a-f-]{36}/);
  await page.getByLabel('評価日').fill('2026-10-01');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('スキルを記録しました。')).toBeVisible();
  await expect(page.locator('.held-skills')).toContainText('ECサイト運営');
  await expect(page.locator('.held-skills')).toContainText('退職後に習得');
});

test('an opening without skills and weights of zero get clear messages', async ({ page }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/openings/new');
  await page.getByLabel('求人名').fill('検品（週2日）');
  await page.getByLabel('働き方').selectOption({ label: '週N日' });
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('入力してください。')).toBeVisible();
  await expect(page.getByLabel('求人名')).toHaveValue('検品（週2日）');
  await page.getByLabel('週の日数').fill('2');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('求人を保存しました。')).toBeVisible();
  await expect(page.getByText('この求人にはスキルが設定されていないため、候補を探せません。')).toBeVisible();

  await page.goto('/settings/matching');
  for (const label of ['スキル適合', '復帰の意向', 'リターンオファー', '学習ミッション', '再雇用可否', '最近の接点', '働き方']) {
    await page.getByLabel(label, { exact: true }).fill('0');
  }
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('すべての重みを0にはできません')).toBeVisible();
});
