// Journeys of the alumni portal with a real SMTP server on loopback (run.sh starts it): register on the
// public page, HR links the registration, sign in from the e-mailed link, consent to two purposes out of
// four, keep one's data, see a message for a withdrawn purpose refused, download one's data, ask for
// deletion, and HR completes it. A second journey acknowledges a return offer from the portal.
const { test, expect } = require('@playwright/test');
const fs = require('fs');
const path = require('path');
const { login } = require('./helpers');

const mailDir = process.env.KAERU_E2E_MAIL_DIR;

// Waits for a message to `to` whose subject contains `subject`, as decoded by the SMTP server's parser.
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

function linkIn(mail) {
  const m = mail.body.match(/https?:\/\/[^\s]+(\/c\/[a-z0-9-]+\/auth\/[0-9a-f]{64})/);
  if (!m) throw new Error(`no sign-in link in ${mail.body}`);
  return m[1];
}

async function signIn(page, link) {
  await page.goto(link);
  await page.getByRole('button', { name: 'ログインする' }).click();
}

test('a former employee registers, signs in by e-mail, chooses what she hears about and is deleted on request', async ({ browser, page }) => {
  const stamp = Date.now();
  const email = `haruka.kitamura.${stamp}@example.jp`;
  const alumna = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
  alumna.on('dialog', (d) => d.accept());
  page.on('dialog', (d) => d.accept());

  // The public page declares that returners are welcome and takes a registration.
  await alumna.goto('/c/sakura-seiki');
  await expect(alumna.getByRole('heading', { level: 1 })).toHaveText('さくら精機株式会社は、出戻りを歓迎します');
  await expect(alumna.getByRole('img', { name: '出戻り歓迎' })).toBeVisible();
  await alumna.getByRole('button', { name: '登録する' }).click();
  await expect(alumna.getByText('個人情報の取り扱いへの同意が必要です。')).toBeVisible();
  await alumna.getByLabel('姓', { exact: true }).fill('北村');
  await alumna.getByLabel('名', { exact: true }).fill('遥');
  await alumna.getByLabel('姓（ふりがな）').fill('きたむら');
  await alumna.getByLabel('名（ふりがな）').fill('はるか');
  await alumna.getByLabel('メールアドレス').fill(email);
  await alumna.getByLabel('在籍していた時期').fill('2016年〜2022年');
  await alumna.getByLabel('個人情報の取り扱いに同意します').check();
  await alumna.getByRole('button', { name: '登録する' }).click();
  await expect(alumna.getByText('ご登録ありがとうございます。')).toBeVisible();
  await mailTo(email, 'ご登録を受け付けました');

  // HR reviews it: nothing is merged by itself; HR creates the person, who is sent a sign-in link.
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/registrations');
  const reg = page.locator('article.registration', { hasText: email });
  await expect(reg).toContainText('北村 遥');
  await reg.getByRole('button', { name: '新しい人材として作成' }).click();
  await expect(page.locator('h1')).toContainText('北村 遥');
  const personUrl = page.url();
  const welcome = await mailTo(email, 'アルムナイページへようこそ');

  // She signs in from the e-mail; the first visit asks for consent per purpose: two of four.
  const link = linkIn(welcome);
  await signIn(alumna, link);
  await expect(alumna).toHaveURL(/\/me\/consent$/);
  await alumna.getByLabel(/再雇用のご案内/).check();
  await alumna.getByLabel(/イベントのご案内/).check();
  await alumna.getByRole('button', { name: '保存する' }).click();
  await expect(alumna).toHaveURL(/\/me$/);
  await expect(alumna.getByRole('heading', { level: 1 })).toHaveText('北村 遥 さん、おかえりなさい');
  // The link worked once.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, link);
  await expect(other.getByText('このリンクはすでに使われています。リンクは1回だけ有効です。')).toBeVisible();

  // She keeps her career, a skill, a certification, her outlook and a message up to date.
  await alumna.getByText('経歴を追加').click();
  await alumna.getByLabel('勤務先・屋号').fill('株式会社はるかデザイン');
  await alumna.getByLabel('職種・役職').fill('Webデザイナー');
  await alumna.locator('#career').getByRole('button', { name: '追加' }).click();
  await expect(alumna.locator('#career')).toContainText('株式会社はるかデザイン');
  await alumna.getByText('スキルを記録').click();
  await alumna.locator('#f-skill').selectOption({ index: 1 });
  await alumna.getByLabel('自己評価のレベル').selectOption({ index: 3 });
  await alumna.locator('#skills').getByRole('button', { name: '追加' }).click();
  await expect(alumna.locator('#skills li')).toHaveCount(1);
  await alumna.getByText('資格・学位を追加').click();
  await alumna.getByLabel('種類').selectOption({ label: '資格' });
  await alumna.getByLabel('名称').fill('ウェブデザイン技能検定2級');
  await alumna.locator('#qualifications').getByRole('button', { name: '追加' }).click();
  await expect(alumna.locator('#qualifications')).toContainText('ウェブデザイン技能検定2級');
  await alumna.getByLabel('復帰の意向').selectOption({ label: '1年以内' });
  await alumna.locator('#outlook').getByRole('button', { name: '保存' }).click();
  await alumna.getByLabel('メッセージ', { exact: true }).fill('業務委託からでもお手伝いできます。');
  await alumna.getByRole('button', { name: 'メッセージを保存' }).click();
  await expect(alumna.getByText('会社へのメッセージを保存しました。')).toBeVisible();
  // A bad phone number is refused and kept as typed.
  await alumna.getByLabel('電話番号').fill('でんわ');
  await alumna.locator('#contacts').getByRole('button', { name: '保存' }).click();
  await expect(alumna.getByLabel('電話番号')).toHaveValue('でんわ');
  await expect(alumna.locator('#contacts .field-error')).toBeVisible();
  // The portal speaks English too.
  await alumna.locator('#lang-select').selectOption('en');
  await expect(alumna.getByRole('heading', { level: 1 })).toHaveText('Welcome back, 北村 遥');
  await alumna.locator('#lang-select').selectOption('ja');
  await expect(alumna.getByRole('heading', { level: 1 })).toHaveText('北村 遥 さん、おかえりなさい');

  // HR sees what she changed, marked as hers, and her consents.
  await page.goto(personUrl);
  await expect(page.getByText('本人が更新')).toBeVisible();
  await expect(page.getByText('業務委託からでもお手伝いできます。')).toBeVisible();
  await expect(page.locator('#privacy')).toContainText('同意あり');

  // She withdraws one consent; a message for it is refused, one for a purpose she kept is sent.
  await alumna.goto('/me/consent');
  await alumna.getByLabel(/イベントのご案内/).uncheck();
  await alumna.getByRole('button', { name: '保存する' }).click();
  await page.goto(`${personUrl}/message`);
  await page.getByLabel('利用目的').selectOption({ value: 'events' });
  await page.getByLabel('件名').fill('OB・OG会のご案内');
  await page.getByLabel('本文').fill('12月の土曜日に開催します。');
  await page.getByRole('button', { name: '送信待ちに入れる' }).click();
  await expect(page.getByText('この人は「イベントのご案内」への同意がない（または取り消した）ため、このメールは送れません。')).toBeVisible();
  await expect(page.getByLabel('件名')).toHaveValue('OB・OG会のご案内');
  await page.getByLabel('利用目的').selectOption({ value: 'rehire' });
  await page.getByLabel('件名').fill('復職のご相談');
  await page.getByRole('button', { name: '送信待ちに入れる' }).click();
  await expect(page.getByText('メールを送信待ちに入れました。')).toBeVisible();
  const sent = await mailTo(email, '復職のご相談');
  expect(sent.body).toContain('ご同意いただいた目的');

  // She downloads her data.
  await alumna.goto('/me#privacy');
  const [download] = await Promise.all([alumna.waitForEvent('download'), alumna.getByRole('link', { name: 'JSON形式でダウンロード' }).click()]);
  const data = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  expect(data.person.family_name).toBe('北村');
  expect(data.careers[0].employer).toBe('株式会社はるかデザイン');

  // She asks for deletion; HR completes it before the deadline; nothing of her is found any more.
  await alumna.getByRole('button', { name: 'データの削除を依頼する' }).click();
  await expect(alumna.getByText('データ削除のご依頼を受け付けました。')).toBeVisible();
  await page.goto('/privacy');
  const row = page.locator('tr', { hasText: '北村 遥' });
  await row.getByRole('button', { name: '削除を実行' }).click();
  await expect(page.getByText('個人データを削除しました。統計用の匿名の記録だけが残ります。')).toBeVisible();
  await page.goto('/search?q=' + encodeURIComponent('北村 遥'));
  await expect(page.locator('main')).not.toContainText('北村 遥');
  // Her erased record offers no changes any more: no edit, no stint, no offer, no contact log.
  await page.goto(personUrl);
  await expect(page.getByText('削除済み').first()).toBeVisible();
  for (const name of ['編集', '在籍期間を追加', '接点を記録', 'メールを送る', '個人データを削除']) {
    await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
  }
  await expect(page.locator(`a[href="${new URL(personUrl).pathname}/edit"]`)).toHaveCount(0);
  await expect(page.locator(`a[href$="/offers/new"]`)).toHaveCount(0);
  // Posting an edit anyway is refused, in her language's page.
  const csrf = await page.locator('input[name="_csrf"]').first().getAttribute('value');
  const refused = await page.request.post(`${personUrl}`, { form: { _csrf: csrf, family_name: '北村', given_name: '遥', family_kana: 'きたむら', given_kana: 'はるか' }, maxRedirects: 0 });
  expect(refused.status()).toBe(409);
  expect(await refused.text()).toContain('削除済みの人の記録です');
  await alumna.goto('/me');
  await expect(alumna).toHaveURL(/\/c\/sakura-seiki\/login$/);
});

test('an alumnus invited from the person page acknowledges the return offer in the portal', async ({ browser, page }) => {
  await login(page, 'jinji@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/offers?status=issued');
  const row = page.locator('table.offers tbody tr').first();
  const number = (await row.locator('td').first().textContent()).trim();
  await row.locator('td.name a').click();
  const email = (await page.locator('a[href^="mailto:"]').first().textContent()).trim();
  await page.getByRole('button', { name: 'ポータルへ招待' }).click();
  await expect(page.getByText('ポータルへの招待メールを送信待ちに入れました。')).toBeVisible();
  const mail = await mailTo(email, 'アルムナイページへようこそ');

  const alumnus = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
  await signIn(alumnus, linkIn(mail));
  // Choosing nothing is a valid answer.
  await alumnus.goto('/me/consent');
  await alumnus.getByRole('button', { name: '保存する' }).click();
  await expect(alumnus).toHaveURL(/\/me$/);
  const offer = alumnus.locator('#offers article', { hasText: number });
  await offer.getByRole('button', { name: 'オファーを確認しました' }).click();
  await expect(alumnus.getByText('リターンオファーを確認済みにしました。')).toBeVisible();
  await expect(alumnus.locator('#offers article', { hasText: number })).toContainText('確認済み');
  // The list pages by 50, the window closing soonest first: her new offer is on a later page.
  await page.goto('/offers?status=acknowledged');
  while (!(await page.locator('table.offers').textContent()).includes(number)) {
    const next = page.locator('nav.pagination a[rel="next"]');
    await expect(next, `${number} on some page of the acknowledged offers`).toHaveCount(1);
    await next.click();
  }
  await expect(page.locator('table.offers')).toContainText(number);
});
