// Events: HR writes an event (a refused end time keeps the form), invites alumni to the OB・OG会 as an
// announcement, an alumna replies on her phone from the e-mail's link and gets her QR code, and at the door
// (375 px) HR receives one attendee found by reading and her by the QR link; the same code again is refused.
const { test, expect } = require('@playwright/test');
const fs = require('fs');
const path = require('path');
const { login } = require('./helpers');

const mailDir = process.env.KAERU_E2E_MAIL_DIR;
const phoneView = { locale: 'ja-JP', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };

async function newestMail(subject) {
  for (let i = 0; i < 120; i++) {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort().reverse() : [];
    for (const f of files) {
      const m = JSON.parse(fs.readFileSync(path.join(mailDir, f), 'utf8'));
      if (m.subject.includes(subject) && /\/m\/[A-Za-z0-9_-]+/.test(m.body)) return m;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail about ${subject}`);
}

function local(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

async function noSideways(p) {
  expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
}

test('HR writes an event; the form keeps what was typed when the end is before the start', async ({ page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/network');
  await page.getByRole('link', { name: 'イベント', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'イベント', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '新しいイベント' }).click();
  const start = new Date(Date.now() + 20 * 86400_000);
  start.setHours(14, 0, 0, 0);
  await page.getByLabel('種類').selectOption('tour');
  await page.getByLabel('イベント名').fill('工場見学会（5軸加工機）');
  await page.getByLabel('開始').fill(local(start));
  await page.getByLabel('終了').fill(local(new Date(start.getTime() - 3600_000)));
  await page.getByLabel('会場').fill('本社工場');
  await page.getByLabel('定員').fill('１２');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('#e-ends_at')).toHaveText('終了は開始より後にしてください。');
  await expect(page.getByLabel('イベント名')).toHaveValue('工場見学会（5軸加工機）');
  await page.getByLabel('終了').fill(local(new Date(start.getTime() + 2 * 3600_000)));
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('保存しました。')).toBeVisible();
  await expect(page.locator('#event-status')).toHaveText('下書き');
  await page.getByRole('button', { name: '公開する' }).click();
  await expect(page.locator('#event-status')).toHaveText('受付中');
  await expect(page.locator('#places')).toContainText('0 / 12');
  // English too.
  await page.locator('#lang-select').selectOption('en');
  await expect(page.locator('#event-status')).toHaveText('Open');
  await page.locator('#lang-select').selectOption('ja');
});

test('an invited alumna replies on her phone, and the door receives people by reading and by QR code', async ({ browser, page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/events');
  await page.getByRole('link', { name: /OB・OG会/ }).first().click();
  const eventUrl = new URL(page.url()).pathname;
  await page.getByRole('button', { name: '招待状を送る' }).click();
  await expect(page.locator('#invitation-note')).toBeVisible();
  await expect(page.getByLabel('件名')).toHaveValue(/【ご案内】.*OB・OG会/);
  await page.getByLabel('送り先（セグメント）').selectOption({ label: 'アルムナイ全員' });
  await page.getByRole('button', { name: '保存してプレビュー' }).click();
  await page.getByRole('button', { name: '今すぐ送信' }).click();
  await expect(page.getByText('送信を始めました。')).toBeVisible();
  const mail = await newestMail('OB・OG会');
  const link = mail.body.match(/\/m\/[A-Za-z0-9_-]+/)[0];

  // Her phone: the link opens her own page (no sign-in); she replies with a line of news.
  const phone = await (await browser.newContext(phoneView)).newPage();
  await phone.goto(link);
  await expect(phone).toHaveURL(/\/r\//);
  await phone.getByLabel('出席', { exact: true }).check();
  await phone.getByLabel('近況（ひとこと）').fill('𠮷野家の近くに引っ越しました。');
  await phone.getByLabel('近況を参加者向けのしおりに載せてよい').check();
  await phone.getByRole('button', { name: '回答する' }).click();
  await expect(phone.getByText('ご出席を承りました。')).toBeVisible();
  await expect(phone.locator('#rsvp-state')).toContainText('出席');
  await expect(phone.locator('#rsvp-qr svg')).toBeVisible();
  await noSideways(phone);
  const code = (await phone.locator('#rsvp-code').textContent()).trim();
  expect(code).toMatch(/^[0-9a-f]{32}$/);

  // The door, on HR's phone. Her QR code first, as the phone's camera opens it.
  const door = await (await browser.newContext(phoneView)).newPage();
  await login(door, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await door.goto(`${eventUrl}/checkin/${code}`);
  await door.getByRole('button', { name: '受付する' }).click();
  await expect(door.locator('#door-ok')).toContainText('受付しました');
  await noSideways(door);
  // The same code again: refused, saying when.
  await door.goto(`${eventUrl}/checkin/${code}`);
  await expect(door.locator('#scan-refused')).toContainText('受付済みです');
  await expect(door.getByRole('button', { name: '受付する' })).toHaveCount(0);
  // Someone still to receive, found by reading, one tap.
  await door.goto(`${eventUrl}/door`);
  await noSideways(door);
  const toReceive = () => door.locator('#door-list li').filter({ has: door.getByRole('button', { name: /受付する/ }) }).first();
  const reading = (await toReceive().locator('.door-who small.muted').first().textContent()).trim();
  await door.getByLabel('名前・ふりがなで探す').fill(reading.slice(0, 3));
  await door.getByRole('button', { name: '検索' }).click();
  await toReceive().getByRole('button', { name: /受付する/ }).click();
  await expect(door.locator('#door-ok')).toContainText('受付しました');
  // Her page now says she is in.
  await phone.reload();
  await expect(phone.getByText(/受付しました。ようこそ/)).toBeVisible();

  // The event page counts her; the しおり is there to print.
  await page.goto(eventUrl);
  await expect(page.locator('#counts')).toContainText('受付済み');
  const download = page.waitForEvent('download');
  await page.locator('#booklet-link').click();
  expect((await download).suggestedFilename()).toMatch(/booklet\.pdf$/);
});
