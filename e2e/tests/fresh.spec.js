// Journeys on a new install: first-run setup, sign-in, people and their stints, English, and tenancy.
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('child_process');
const { login, sortKey } = require('./helpers');

const OWNER = { email: 'shacho@sakura.example', password: 'correct horse battery' };

test.describe.serial('a new install', () => {
  test('first-run setup creates the company and its owner', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/setup$/);
    await expect(page.getByRole('heading', { name: 'Kaeruをはじめる' })).toBeVisible();
    await page.getByLabel('会社名', { exact: true }).fill('さくら精機株式会社');
    await page.getByLabel('会社ID', { exact: true }).fill('さくら');
    await page.getByLabel('氏名', { exact: true }).fill('桜井 健一');
    await page.getByLabel('メールアドレス', { exact: true }).fill(OWNER.email);
    await page.getByLabel('パスワード', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: '登録してはじめる' }).click();
    // Refused with a message next to the field; what was typed is still there.
    await expect(page.getByText('半角英小文字・数字・ハイフンで、2〜40文字で入力してください。')).toBeVisible();
    await expect(page.getByLabel('会社名', { exact: true })).toHaveValue('さくら精機株式会社');
    await expect(page.getByLabel('会社ID', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('会社ID', { exact: true }).fill('sakura-seiki');
    await page.getByLabel('パスワード', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: '登録してはじめる' }).click();
    await expect(page).toHaveURL(/\/people$/);
    await expect(page.getByText('ログインしました。')).toBeVisible();
    await expect(page.getByText('まだ人材が登録されていません')).toBeVisible();
  });

  test('log in and log out', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('メールアドレス', { exact: true }).fill(OWNER.email);
    await page.getByLabel('パスワード', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expect(page.getByText('メールアドレスまたはパスワードが正しくありません。')).toBeVisible();
    await expect(page.getByLabel('メールアドレス', { exact: true })).toHaveValue(OWNER.email);
    await login(page, OWNER.email, OWNER.password);
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByText('ログアウトしました。')).toBeVisible();
    await page.goto('/people');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('create a person with a stint', async ({ page }) => {
    await login(page, OWNER.email, OWNER.password);
    await page.getByRole('button', { name: '人材を登録' }).first().click();
    await page.getByLabel('姓', { exact: true }).fill('山田');
    await page.getByLabel('名', { exact: true }).fill('太郎');
    await page.getByLabel('姓（ふりがな）').fill('Yamada');
    await page.getByLabel('名（ふりがな）').fill('たろう');
    await page.getByLabel('メールアドレス').fill('taro.yamada@example.jp');
    await page.getByLabel('都道府県').selectOption('静岡県');
    await page.getByLabel('メモ').fill('居酒屋で6年ぶりに再会');
    await page.getByRole('button', { name: '登録', exact: true }).click();
    await expect(page.getByText('ひらがなまたはカタカナで入力してください。')).toBeVisible();
    await expect(page.getByLabel('メモ')).toHaveValue('居酒屋で6年ぶりに再会');
    await expect(page.getByLabel('都道府県')).toHaveValue('静岡県');
    await page.getByLabel('姓（ふりがな）').fill('やまだ');
    await page.getByRole('button', { name: '登録', exact: true }).click();
    await expect(page.getByText('人材を登録しました。')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('山田 太郎');

    await page.getByRole('button', { name: '在籍期間を追加' }).click();
    await page.getByLabel('入社日').fill('2012-04-01');
    await page.getByLabel('退職日', { exact: true }).fill('2011-03-31');
    await page.getByLabel('部署', { exact: true }).fill('営業');
    await page.getByLabel('雇用形態').selectOption({ label: '正社員' });
    await page.getByRole('button', { name: '追加', exact: true }).click();
    await expect(page.getByText('退職日は入社日より後の日付を入力してください')).toBeVisible();
    await expect(page.getByLabel('部署', { exact: true })).toHaveValue('営業');
    await page.getByLabel('退職日', { exact: true }).fill('2019-03-31');
    await page.getByLabel('退職理由', { exact: true }).selectOption({ label: '転職' });
    await page.getByLabel('再雇用', { exact: true }).selectOption({ label: '歓迎' });
    await page.getByRole('button', { name: '追加', exact: true }).click();
    await expect(page.getByText('保存しました。')).toBeVisible();
    await expect(page.getByText('2012/04/01 – 2019/03/31')).toBeVisible();
    await expect(page.locator('h1 .badge')).toHaveText('アルムナイ');

    // A second person, to see the list order.
    await page.goto('/people/new');
    await page.getByLabel('姓', { exact: true }).fill('青木');
    await page.getByLabel('名', { exact: true }).fill('花');
    await page.getByLabel('姓（ふりがな）').fill('アオキ');
    await page.getByLabel('名（ふりがな）').fill('ハナ');
    await page.getByRole('button', { name: '登録', exact: true }).click();
    await expect(page.getByText('人材を登録しました。')).toBeVisible();
  });

  test('edit the person and see the change in the history', async ({ page }) => {
    await login(page, OWNER.email, OWNER.password);
    await page.getByRole('link', { name: '山田 太郎' }).click();
    await page.getByRole('button', { name: '編集', exact: true }).click();
    await page.getByLabel('市区町村').fill('浜松市');
    await page.getByLabel('FacebookのURL').fill('https://example.com/taro');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByText('facebook.com のURLを入力してください。')).toBeVisible();
    await expect(page.getByLabel('市区町村')).toHaveValue('浜松市');
    await page.getByLabel('FacebookのURL').fill('https://www.facebook.com/taro.yamada');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByText('保存しました。')).toBeVisible();
    await expect(page.getByText('静岡県 浜松市')).toBeVisible();
    const history = page.locator('table.audit');
    await expect(history).toContainText('人材を編集');
    await expect(history).toContainText('市区町村');
  });

  test('find people in the list, in kana order, by status', async ({ page }) => {
    await login(page, OWNER.email, OWNER.password);
    const readings = await page.locator('table.people .reading').allTextContents();
    expect(readings.length).toBe(2);
    expect([...readings].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))).toEqual(readings);
    await expect(page.locator('table.people tbody tr').first()).toContainText('青木 花');
    await page.getByLabel('状態').selectOption({ label: 'アルムナイ' });
    await page.getByRole('button', { name: '絞り込む' }).click();
    await expect(page).toHaveURL(/status=alumnus/);
    await expect(page.getByRole('link', { name: '山田 太郎' })).toBeVisible();
    await page.getByLabel('状態').selectOption({ label: '在籍' });
    await page.getByRole('button', { name: '絞り込む' }).click();
    await expect(page.getByText('条件に合う人材はいません')).toBeVisible();
  });

  test('switch to English and back', async ({ page }) => {
    await login(page, OWNER.email, OWNER.password);
    await page.getByLabel('表示言語').selectOption('en');
    await expect(page.getByRole('heading', { name: 'People', exact: true })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Add person' })).toBeVisible();
    await page.getByRole('link', { name: '山田 太郎' }).click();
    await expect(page.getByRole('heading', { name: 'History with the company' })).toBeVisible();
    await expect(page.locator('h1 .badge')).toHaveText('Alumnus');
    await page.getByLabel('Language').selectOption('ja');
    await expect(page.getByRole('heading', { name: '在籍の歴史' })).toBeVisible();
  });

  test("a user of one company gets 'not found' for another company's person", async ({ browser }) => {
    const env = { ...process.env, KAERU_DATABASE_URL: process.env.KAERU_E2E_FRESH_URL || '', KAERU_OWNER_PASSWORD: 'b-company owner pw', KAERU_LOG: 'warn' };
    execFileSync(process.env.KAERU_BIN || '../target/debug/kaeru', [
      'company', 'add', '--data-dir', process.env.KAERU_E2E_FRESH_DIR || '/tmp/kaeru-e2e/fresh',
      '--name', '浜名湖商事', '--slug', 'hamanako', '--owner-email', 'owner@hamanako.example', '--owner-name', '浜名 一郎',
    ], { env });
    const b = await (await browser.newContext()).newPage();
    await login(b, 'owner@hamanako.example', 'b-company owner pw');
    await expect(b.getByText('まだ人材が登録されていません')).toBeVisible();
    await b.goto('/people/new');
    await b.getByLabel('姓', { exact: true }).fill('鈴木');
    await b.getByLabel('名', { exact: true }).fill('一郎');
    await b.getByLabel('姓（ふりがな）').fill('すずき');
    await b.getByLabel('名（ふりがな）').fill('いちろう');
    await b.getByRole('button', { name: '登録', exact: true }).click();
    await expect(b.getByText('人材を登録しました。')).toBeVisible();
    const url = b.url();

    const a = await (await browser.newContext()).newPage();
    await login(a, OWNER.email, OWNER.password);
    await expect(a.getByRole('link', { name: '鈴木 一郎' })).toHaveCount(0);
    const response = await a.goto(url);
    expect(response.status()).toBe(404);
    await expect(a.getByRole('heading', { name: 'ページが見つかりません' })).toBeVisible();
    const edit = await a.goto(url + '/edit');
    expect(edit.status()).toBe(404);
  });

  test('the people list fits a 375 px phone screen', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await login(page, OWNER.email, OWNER.password);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.getByRole('link', { name: '山田 太郎' }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });
});
