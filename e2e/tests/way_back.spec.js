// The way back, seen from the alumni side, on a phone (375 px): the alumna of the demo who learned digital
// marketing (レベル4) and holds a return offer signs in by the link HR's invitation e-mails her, sees the
// Web集客 opening first with reasons about her alone and her offer beside it, and raises a hand quietly.
// A manager cannot see it; HR can, and starts the comeback from it. She asks for alerts and links LINE;
// a new opening that fits her reaches her once through the fake LINE API (tools/fake_line.py) when the
// worker's pass runs. Runs after skills.spec.js (which starts a comeback for her from HR's ranking): the
// interest then joins the comeback already under way.
const { test, expect } = require('@playwright/test');
const fs = require('fs');
const path = require('path');
const { login, nav } = require('./helpers');

const mailDir = process.env.KAERU_E2E_MAIL_DIR;
const lineUrl = process.env.KAERU_E2E_LINE_URL;
const lineSecret = process.env.KAERU_E2E_LINE_SECRET;
const lineToken = process.env.KAERU_E2E_LINE_TOKEN;

function mailFiles() {
  return fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort() : [];
}

// The newest e-mail to `to` about `subject` that was not there before (`seen`: the files before the action).
async function mailTo(to, subject, seen) {
  for (let i = 0; i < 120; i++) {
    const files = mailFiles().filter((f) => !seen.includes(f));
    for (const f of files.reverse()) {
      const m = JSON.parse(fs.readFileSync(path.join(mailDir, f), 'utf8'));
      if (m.envelope_to.includes(to) && m.subject.includes(subject)) return m;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${to} about ${subject}`);
}

async function line(pathname, body) {
  const r = await fetch(`${lineUrl}${pathname}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return r.json();
}

// LINE set up in 設定 unless an earlier journey did; returns the webhook URL Kaeru shows.
async function ensureLine(page) {
  await page.goto('/settings/messaging');
  if (!((await page.locator('#line-configured').textContent()) || '').includes('LINEは設定済みです')) {
    await page.getByLabel('チャネルID').fill('2001234567');
    await page.getByLabel('チャネルシークレット').fill(lineSecret);
    await page.getByLabel('チャネルアクセストークン（長期）').fill(lineToken);
    await page.locator('form[action="/settings/messaging/line"] button').click();
    await expect(page.locator('#line-configured')).toContainText('LINEは設定済みです');
  }
  return (await page.locator('#webhook-url').textContent()).trim();
}

test('an alumna on a phone sees why the Web集客 opening fits her, raises a hand quietly, HR starts her comeback, and an alert reaches her once by LINE', async ({ browser, page }) => {
  test.setTimeout(240_000);
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  const webhook = await ensureLine(page);

  // HR's ranking names her first; the second is someone else, whose name must never reach her.
  await page.goto('/openings');
  await page.getByRole('link', { name: 'Web集客担当（週3日）' }).click();
  const opening = page.url();
  const first = page.getByTestId('match').first();
  const name = (await first.locator('.who a').textContent()).trim();
  const other = (await page.getByTestId('match').nth(1).locator('.who a').textContent()).trim();
  await first.locator('.who a').click();
  const herPage = page.url();
  const email = (await page.locator('a[href^="mailto:"]').first().textContent()).trim();
  const seen = mailFiles();
  await page.getByRole('button', { name: 'ポータルへ招待' }).click();
  const mail = await mailTo(email, 'アルムナイページへようこそ', seen);
  const link = mail.body.match(/https?:\/\/[^\s]+(\/c\/[a-z0-9-]+\/auth\/[0-9a-f]{64})/)[1];

  const phone = await (await browser.newContext({ locale: 'ja-JP', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(link);
  await phone.getByRole('button', { name: 'ログインする' }).click();
  await expect(phone).toHaveURL(/\/me(\/consent)?$/);
  await phone.goto('/me/consent');
  await phone.getByLabel('再雇用のご案内').check();
  await phone.getByRole('button', { name: '保存する' }).click();
  await expect(phone).toHaveURL(/\/me$/);

  // Her board: the Web集客 opening first, with reasons in plain words and her offer beside it.
  await nav(phone, '求人');
  await expect(phone.getByRole('heading', { name: '求人情報' })).toBeVisible();
  const card = phone.getByTestId('opening-card').first();
  await expect(card.getByRole('heading')).toHaveText('Web集客担当（週3日）');
  await expect(card).toContainText('求めるデジタルマーケティング（レベル3以上）を、レベル4でお持ちです（退職後に身につけたスキル）');
  await expect(card).toContainText('とても合っています');
  await expect(phone.getByTestId('standing-offer')).toContainText(/RO-\d{4}-\d{4}/);
  await expect(phone.locator('body')).not.toContainText(other);
  await expect(phone.locator('body')).not.toContainText('再雇用不可');
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // In English too.
  await phone.locator('#lang-select').selectOption('en');
  await expect(phone.getByRole('heading', { name: 'Openings' })).toBeVisible();
  await expect(phone.getByTestId('opening-card').first()).toContainText('You hold デジタルマーケティング at level 4');
  await phone.locator('#lang-select').selectOption('ja');
  await expect(phone.getByRole('heading', { name: '求人情報' })).toBeVisible();

  // She opens it and raises a hand quietly; too long a note is refused with what she typed kept.
  await phone.getByTestId('opening-card').first().getByRole('link').click();
  await expect(phone.getByTestId('reasons')).toContainText('リターンオファーの有効期間中です');
  await expect(phone.getByTestId('standing-offer')).toBeVisible();
  await phone.getByLabel('開始できる時期').fill('来年4月から');
  await phone.getByLabel('ひとこと（任意）').fill('あ'.repeat(401));
  await phone.getByRole('button', { name: 'こっそり興味ありを伝える' }).click();
  await expect(phone.getByText('400文字以内').first()).toBeVisible();
  await expect(phone.getByLabel('開始できる時期')).toHaveValue('来年4月から');
  await phone.getByLabel('ひとこと（任意）').fill('子どもの送り迎えがあるので、週3日だとありがたいです');
  await phone.getByRole('button', { name: 'こっそり興味ありを伝える' }).click();
  await expect(phone.getByText('興味ありを人事に伝えました。ほかの社員には見えません。')).toBeVisible();
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // Alerts for new openings that fit, and LINE linked by code.
  await nav(phone, '求人');
  await phone.getByLabel('新しい求人を知らせてほしい').check();
  await phone.getByLabel('知らせてほしい求人').selectOption('good');
  await phone.locator('form[action="/me/alerts"] button').click();
  await expect(phone.getByText('新着求人のお知らせを受け取る設定にしました。')).toBeVisible();
  await nav(phone, 'LINE連携');
  // An earlier journey may have linked her to another LINE account: this one is hers now.
  if (await phone.getByRole('button', { name: '連携を解除' }).isVisible()) {
    await phone.getByRole('button', { name: '連携を解除' }).click();
    await expect(phone.locator('#line-state')).toHaveText('LINEはまだ連携されていません。');
  }
  await phone.getByRole('button', { name: '連携用のコードを表示' }).click();
  const code = (await phone.locator('#line-code').textContent()).trim();
  const user = `U${(Date.now() + 7).toString(16).padStart(32, '0')}`;
  const textEvent = [{ type: 'message', replyToken: 'w1', source: { type: 'user', userId: user }, message: { type: 'text', id: '7', text: code } }];
  expect((await line('/_test/webhook', { url: webhook, events: textEvent })).status).toBe(200);
  await phone.getByRole('button', { name: '連携できたか確認する' }).click();
  await expect(phone.locator('#line-state')).toContainText('LINEを連携しています');

  // A manager sees the opening, not who raised a hand.
  const owner = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
  await login(owner, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await owner.goto('/settings/staff');
  await owner.locator('#f-display_name').fill('製造部 鈴木');
  await owner.locator('#f-email').fill('suzuki.manager@sakura-seiki.example');
  await owner.locator('#f-role').selectOption('manager');
  await owner.locator('#f-password').fill('manager password 1');
  await owner.getByRole('button', { name: '追加', exact: true }).click();
  await expect(owner.locator('body')).toContainText('suzuki.manager@sakura-seiki.example');
  const manager = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
  await login(manager, 'suzuki.manager@sakura-seiki.example', 'manager password 1');
  await manager.goto(opening);
  await expect(manager.getByRole('heading', { name: 'Web集客担当（週3日）' })).toBeVisible();
  await expect(manager.locator('body')).not.toContainText('来年4月から');
  await expect(manager.locator('body')).not.toContainText('アルムナイの反応');
  await manager.goto(herPage);
  await expect(manager.locator('body')).not.toContainText('こっそり興味あり');

  // HR sees her interest and starts the comeback from it; the comeback links back to the opening.
  await page.goto(opening);
  const response = page.getByTestId('response').filter({ hasText: name });
  await expect(response).toContainText('来年4月から');
  await expect(response).toContainText('送り迎え');
  await expect(response).toContainText('こっそり興味あり');
  await response.getByRole('button', { name: '復帰の流れを始める' }).click();
  await expect(page).toHaveURL(/\/comebacks\//);
  await expect(page.locator('h1')).toContainText(name);
  await expect(page.getByTestId('comeback-opening')).toHaveText('Web集客担当（週3日）');

  // A new opening that fits her: the worker's pass (each minute) tells her once by LINE.
  const before = (await line('/_test/state')).pushes.filter((p) => p.to === user).length;
  expect(before).toBe(0);
  await page.goto('/openings/new');
  await page.getByLabel('求人名').fill('Webディレクター（業務委託）');
  await page.getByLabel('働き方').selectOption('contract');
  await page.getByLabel('週の日数').fill('2');
  const dm = await page.getByLabel('必須スキル1').locator('option', { hasText: /^デジタルマーケティング/ }).getAttribute('value');
  await page.getByLabel('必須スキル1').selectOption(dm);
  await page.getByLabel('公開範囲').selectOption('alumni');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('heading', { name: 'Webディレクター（業務委託）' })).toBeVisible();
  let pushes = [];
  for (let i = 0; i < 90 && pushes.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    pushes = (await line('/_test/state')).pushes.filter((p) => p.to === user);
  }
  expect(pushes.length).toBe(1);
  expect(pushes[0].texts[0]).toContain('Webディレクター（業務委託）');
  expect(pushes[0].texts[0]).toContain('/me/openings?via=line');
  expect(pushes[0].texts[0]).not.toContain(other);
  // The next pass tells her nothing more.
  await new Promise((r) => setTimeout(r, 65_000));
  expect((await line('/_test/state')).pushes.filter((p) => p.to === user).length).toBe(1);
});
