// Messages to many: an alumna links her LINE account from the portal on a phone (a one-time code sent to
// the official account, then the account-link flow through LINE's confirmation page), and HR sets up
// LINE, builds a segment with a live count, writes an announcement in Markdown, previews it as e-mail and
// LINE, and sends it — e-mail to some, LINE to the linked. A fake LINE API on loopback (tools/fake_line.py,
// started by run.sh) checks what Kaeru sends and signs the webhooks it sends Kaeru.
const { test, expect } = require('@playwright/test');
const fs = require('fs');
const path = require('path');
const { login, nav } = require('./helpers');

const mailDir = process.env.KAERU_E2E_MAIL_DIR;
const lineUrl = process.env.KAERU_E2E_LINE_URL;
const lineSecret = process.env.KAERU_E2E_LINE_SECRET;
const lineToken = process.env.KAERU_E2E_LINE_TOKEN;

async function mailTo(to, subject) {
  for (let i = 0; i < 120; i++) {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort() : [];
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

// LINE set up in 設定 once; returns the webhook URL Kaeru shows.
async function setUpLine(page) {
  await page.goto('/settings/messaging');
  await page.getByLabel('送信者の住所').fill('静岡県浜松市中区元城町1-2');
  await page.getByLabel('問い合わせ先（メールまたは電話）').fill('jinji@sakura-seiki.example');
  await page.getByRole('button', { name: '保存' }).first().click();
  await expect(page.getByText('保存しました。')).toBeVisible();
  await page.getByLabel('チャネルID').fill('2001234567');
  await page.getByLabel('チャネルシークレット').fill(lineSecret);
  await page.getByLabel('チャネルアクセストークン（長期）').fill(lineToken);
  await page.locator('form[action="/settings/messaging/line"] button').click();
  await expect(page.locator('#line-configured')).toContainText('LINEは設定済みです');
  await expect(page.locator('body')).not.toContainText(lineSecret);
  return (await page.locator('#webhook-url').textContent()).trim();
}

test('an alumna links LINE from the portal on a phone, by code and by LINE\'s account link', async ({ browser, page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  const webhook = await setUpLine(page);
  // Someone who confirmed her offer (the portal journeys use the one not yet confirmed), invited to the
  // portal.
  await page.goto('/offers?status=acknowledged');
  await page.locator('table.offers tbody tr').last().locator('td.name a').click();
  const email = (await page.locator('a[href^="mailto:"]').first().textContent()).trim();
  await page.getByRole('button', { name: 'ポータルへ招待' }).click();
  const mail = await mailTo(email, 'アルムナイページへようこそ');
  const link = mail.body.match(/https?:\/\/[^\s]+(\/c\/[a-z0-9-]+\/auth\/[0-9a-f]{64})/)[1];

  const phone = await (await browser.newContext({ locale: 'ja-JP', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(link);
  await phone.getByRole('button', { name: 'ログインする' }).click();
  await phone.goto('/me/consent');
  await phone.getByLabel('再雇用のご案内').check();
  await phone.getByRole('button', { name: '保存する' }).click();
  await expect(phone).toHaveURL(/\/me$/);

  // By code: the portal shows six digits; she sends them to the official account.
  await nav(phone, 'LINE連携');
  await expect(phone.locator('#line-state')).toHaveText('LINEはまだ連携されていません。');
  await phone.getByRole('button', { name: '連携用のコードを表示' }).click();
  const code = (await phone.locator('#line-code').textContent()).trim();
  expect(code).toMatch(/^\d{6}$/);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  // An unsigned webhook is refused; LINE's signed one links her.
  const user = `U${Date.now().toString(16).padStart(32, '0')}`;
  const textEvent = [{ type: 'message', replyToken: 'r1', source: { type: 'user', userId: user }, message: { type: 'text', id: '1', text: code } }];
  expect((await line('/_test/webhook', { url: webhook, events: textEvent, sign: false })).status).toBe(401);
  expect((await line('/_test/webhook', { url: webhook, events: textEvent })).status).toBe(200);
  await phone.getByRole('button', { name: '連携できたか確認する' }).click();
  await expect(phone.locator('#line-state')).toContainText('LINEを連携しています');
  const replies = (await line('/_test/state')).replies;
  expect(replies.at(-1).messages[0].text).toContain('連携しました');

  // Unlinked, then linked again the other way: she follows the account, LINE's reply carries a link
  // token, she confirms in the portal, LINE's page sends the accountLink event.
  await phone.getByRole('button', { name: '連携を解除' }).click();
  await expect(phone.locator('#line-state')).toHaveText('LINEはまだ連携されていません。');
  expect((await line('/_test/webhook', { url: webhook, events: [{ type: 'follow', replyToken: 'r2', source: { type: 'user', userId: user } }] })).status).toBe(200);
  const invite = (await line('/_test/state')).replies.at(-1).messages[0].text;
  const linkUrl = invite.match(/https?:\/\/\S+(\/me\/line\/link\?linkToken=\S+)/)[1];
  await phone.goto(linkUrl);
  await phone.getByRole('button', { name: '連携する' }).click();
  await phone.getByRole('button', { name: 'LINEで連携を完了する' }).click();
  await expect(phone.locator('#linked')).toContainText('linked (200)');
  await phone.goto('/me/line');
  await expect(phone.locator('#line-state')).toContainText('LINEを連携しています');
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  fs.writeFileSync(path.join(process.env.KAERU_E2E_DIR, 'line-user.txt'), user);
});

test('HR writes an announcement, previews it and sends it by e-mail and LINE', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await setUpLine(page);
  // A segment, counted as it is built.
  await page.goto('/network');
  await page.getByRole('link', { name: 'お知らせ配信' }).click();
  await page.getByRole('button', { name: /セグメント/ }).click();
  await page.getByRole('button', { name: 'セグメントを作る' }).click();
  await page.getByLabel('アルムナイ', { exact: true }).check();
  await expect(page.locator('#segment-count')).toContainText('条件に合う人');
  await page.getByLabel('退職年（から）').fill('2024');
  await page.getByLabel('退職年（まで）').fill('2015');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('入力内容に2件の問題があります').or(page.getByText('入力内容に1件の問題があります'))).toBeVisible();
  await expect(page.getByText('「まで」の年は「から」の年と同じか後にしてください。')).toBeVisible();
  const segmentName = `アルムナイ ${Date.now()}`;
  await page.getByLabel('名前').fill(segmentName);
  await page.getByLabel('退職年（から）').fill('');
  await page.getByLabel('退職年（まで）').fill('');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('保存しました。')).toBeVisible();

  // Writing: an empty subject is refused and the body kept.
  await page.goto('/announcements/new');
  await page.getByLabel('種類').selectOption('openings');
  await page.getByLabel('利用目的').selectOption('rehire');
  await page.getByLabel('送り先（セグメント）').selectOption({ label: segmentName });
  const body = '## 製造部で経験者を募集しています\n\n- 週3日からご相談できます\n- 詳しくは[求人ページ](https://sakura-seiki.example/jobs)\n\n<script>alert(1)</script>';
  await page.getByLabel('本文').fill(body);
  await page.getByRole('button', { name: '保存してプレビュー' }).click();
  await expect(page.locator('#e-subject')).toHaveText('入力してください。');
  await expect(page.getByLabel('本文')).toHaveValue(body);
  await page.getByLabel('件名').fill('【再雇用のご案内】製造部の求人');
  await page.getByRole('button', { name: '保存してプレビュー' }).click();

  // The preview as the person will see it; who is sent it and how.
  await expect(page.locator('#preview-html h2')).toHaveText('製造部で経験者を募集しています');
  await expect(page.locator('#preview-html')).toContainText('<script>alert(1)</script>');
  await expect(page.locator('#plan-count')).toContainText('LINE：');
  await page.getByText('LINE', { exact: true }).click();
  await expect(page.locator('#preview-line')).toContainText('【さくら精機株式会社】【再雇用のご案内】製造部の求人');
  await page.getByRole('button', { name: '今すぐ送信' }).click();
  await expect(page.getByText('送信を始めました。')).toBeVisible();
  // The worker sends it; the page follows.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('#announcement-status')).toHaveText('送信済み');
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('#totals')).toContainText('送信済み');
  // The linked alumna got it by LINE (when the phone journey ran first).
  const userFile = path.join(process.env.KAERU_E2E_DIR, 'line-user.txt');
  if (fs.existsSync(userFile)) {
    const user = fs.readFileSync(userFile, 'utf8');
    const casts = (await line('/_test/state')).multicasts;
    expect(casts.some((c) => c.to.includes(user) && c.texts[0].includes('製造部の求人'))).toBe(true);
  }
  // English too.
  await page.locator('#lang-select').selectOption('en');
  await expect(page.locator('#announcement-status')).toHaveText('Sent');
  await page.locator('#lang-select').selectOption('ja');
});
