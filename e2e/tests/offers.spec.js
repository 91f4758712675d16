// Journeys of the return offer: end a demo employee's stint, issue an offer with a learning mission, read the
// PDF letter back with pdfminer, log a check-in, and bring the person back through the comeback pipeline.
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { login } = require('./helpers');

function tokyoDate(offsetDays) {
  return new Date(Date.now() + 9 * 3600 * 1000 + offsetDays * 86400 * 1000).toISOString().slice(0, 10);
}

function slashed(iso) {
  return iso.replaceAll('-', '/');
}

test('a leaver gets a return offer, learns outside, and comes back', async ({ page }, testInfo) => {
  const yesterday = tokyoDate(-1);
  const today = tokyoDate(0);
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');

  // End a current employee's stint.
  await page.goto('/people?status=employee');
  const first = page.locator('table.people tbody tr a').first();
  const name = (await first.textContent()).trim();
  await first.click();
  await page.locator('.timeline > li:not(.gap)').last().getByRole('link', { name: '編集' }).click();
  await page.getByLabel('退職日', { exact: true }).fill(yesterday);
  await page.getByLabel('退職理由', { exact: true }).selectOption({ label: '転職' });
  await page.getByLabel('再雇用', { exact: true }).selectOption({ label: '歓迎' });
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('h1 .badge')).toHaveText('アルムナイ');

  // The offer: defaults from the policy, a salary floor, saved as a draft, then issued.
  await page.getByRole('button', { name: 'リターンオファーを作成' }).click();
  await expect(page.getByLabel('開始日')).toHaveValue(yesterday);
  await page.getByLabel('給与の下限', { exact: true }).check();
  await page.getByRole('button', { name: '下書きを保存' }).click();
  await expect(page.getByText('「給与の下限」を選んだときは金額を入力してください。')).toBeVisible();
  await page.getByLabel('給与の下限（年額・円）').fill('3,600,000');
  await page.getByLabel('署名者の役職').fill('代表取締役');
  await page.getByRole('button', { name: '下書きを保存' }).click();
  await expect(page.locator('h1 .badge')).toHaveText('下書き');
  await page.getByRole('button', { name: '発行', exact: true }).click();
  await expect(page.locator('h1 .badge')).toHaveText('発行済み');
  const number = (await page.locator('h1').textContent()).match(/RO-\d{4}-\d{4}/)[0];

  // A learning mission: digital marketing, level 3.
  await page.getByText('学習ミッションを追加').click();
  await page.getByLabel('スキル', { exact: true }).fill('デジタルマーケティング');
  await page.getByLabel('会社がこのスキルを求める理由').fill('社内に経験者がおらず、新規顧客の開拓に必要なため');
  await page.getByRole('button', { name: '追加', exact: true }).click();
  await expect(page.getByText('学習ミッションを追加しました。')).toBeVisible();
  await expect(page.locator('article.mission')).toContainText('デジタルマーケティング');

  // The letter, read back by an independent tool.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '確認書（PDF）' }).click()]);
  const pdf = path.join(testInfo.outputDir, 'letter.pdf');
  await download.saveAs(pdf);
  expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  // pdfminer.six (PyPI), the same independent reader as the Rust tests; run.sh makes sure python3 has it.
  const text = execFileSync('python3', [path.join(__dirname, '..', '..', 'tools', 'pdf_text.py'), pdf]).toString();
  expect(text).toContain('リターンオファー確認書');
  expect(text).toContain(`${name} 様`);
  expect(text).toContain(number);
  const [y, m, d] = yesterday.split('-').map(Number);
  expect(text).toContain(`${y}年${m}月${d}日`);
  expect(text).toContain(`${y + 3}年${m}月`);
  expect(text).toContain('デジタルマーケティング');

  // A check-in.
  await page.getByText('チェックインを記録').first().click();
  await page.getByLabel('取り組んだこと').fill('Web広告の運用を担当し、Google広告の認定資格を取得');
  await page.getByLabel('評価レベル（1〜5）').fill('2');
  await page.getByRole('button', { name: '記録', exact: true }).click();
  await expect(page.getByText('チェックインを記録しました。')).toBeVisible();
  await expect(page.locator('table.check-ins')).toContainText('Google広告の認定資格');

  // The comeback pipeline, from interest to the return.
  await page.getByRole('link', { name }).click();
  await page.getByPlaceholder('きっかけ（例：居酒屋で再会）').fill('商工会で再会');
  await page.getByRole('button', { name: '復帰の流れを始める' }).click();
  await expect(page.locator('ol.stages li.current')).toHaveText('関心あり');
  for (const stage of ['面談', '条件提示', '入社決定']) {
    await page.getByLabel('次の段階').selectOption({ label: stage });
    await page.getByRole('button', { name: '更新' }).click();
    await expect(page.locator('ol.stages li.current')).toHaveText(stage);
  }
  await page.getByLabel('次の段階').selectOption({ label: '復職' });
  await page.getByRole('button', { name: '更新' }).click();
  await expect(page.getByLabel('復職日')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('復職日').fill(today);
  await page.getByLabel('部署', { exact: true }).fill('営業');
  await page.getByLabel('離職中に得たスキル・経験').fill('デジタルマーケティング');
  await page.getByRole('button', { name: '更新' }).click();
  await expect(page.getByText('復職を記録しました。')).toBeVisible();
  await expect(page.locator('h1 .badge')).toHaveText('出戻り');
  await expect(page.getByText(`${slashed(today)} – 現在`)).toBeVisible();
  await expect(page.locator('.offer-list')).toContainText('行使');

  // The board shows the person as returned; the offer page says exercised, in English too.
  await page.goto('/comebacks');
  await expect(page.locator('.board-column.stage-returned')).toContainText(name);
  await page.goto('/offers?status=exercised');
  await page.getByRole('link', { name: number }).click();
  await page.getByLabel('表示言語').selectOption('en');
  await expect(page.locator('h1 .badge')).toHaveText('Exercised');
  await page.getByLabel('Language').selectOption('ja');
  // The choice is saved on the account: wait for it, so the next journey starts in Japanese.
  await expect(page.locator('h1 .badge')).toHaveText('行使');
});
