// Journey of connecting another system through the JSON API: the 社長 makes a read-only token in 設定 →
// APIトークン (shown once), a script reads people with it, writing is refused, a read-write token creates a
// person who then appears in 人材, the page is checked in English, and a revoked token stops working.
const { test, expect } = require('@playwright/test');
const { login } = require('./helpers');

async function makeToken(page, name, scope) {
  await page.getByLabel('用途').fill(name);
  await page.getByLabel('権限').selectOption(scope);
  await page.getByRole('button', { name: '発行する' }).click();
  await expect(page.getByRole('heading', { name: `トークン「${name}」を発行しました` })).toBeVisible();
  await expect(page.getByText('このトークンは今だけ表示します')).toBeVisible();
  const secret = await page.locator('#new-secret').inputValue();
  expect(secret).toMatch(/^kaeru_[0-9a-f]{64}$/);
  return secret;
}

test('the owner connects a script with an API token, writes with a read-write one and revokes the first', async ({ page, request }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/settings');
  await page.getByRole('link', { name: 'APIトークン' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('APIトークン');

  // A token needs a name: refused, and the choice of scope is kept.
  await page.getByLabel('権限').selectOption('write');
  await page.getByRole('button', { name: '発行する' }).click();
  await expect(page.getByText('入力してください').first()).toBeVisible();
  await expect(page.getByLabel('権限')).toHaveValue('write');

  const read = await makeToken(page, '月次レポート', 'read');
  const hint = read.slice(-4);
  await expect(page.locator('table.api-tokens')).toContainText(`kaeru_…${hint}`);

  // A script reads with it…
  const auth = (t) => ({ Authorization: `Bearer ${t}` });
  let r = await request.get('/api/v1/people?status=alumnus&per_page=5', { headers: auth(read) });
  expect(r.status()).toBe(200);
  const list = await r.json();
  expect(list.items.length).toBe(5);
  expect(list.total).toBeGreaterThan(5);
  // …but may not write, and the answer says why in the language asked for.
  r = await request.post('/api/v1/people', { headers: { ...auth(read), 'Accept-Language': 'en' }, data: { family_name: '試験' } });
  expect(r.status()).toBe(403);
  expect((await r.json()).error.message).toContain('read-only');

  // A read-write token creates a person, who appears in 人材.
  // (Not a reload: that would send the form again and make a second token.)
  await page.goto('/settings/api-tokens');
  const write = await makeToken(page, 'SmartHR連携', 'write');
  r = await request.post('/api/v1/people', {
    headers: auth(write),
    data: { family_name: '試験', given_name: '連携子', family_kana: 'しけん', given_kana: 'れんけいこ', employee_number: 'API-7' },
  });
  expect(r.status()).toBe(201);
  const person = await r.json();
  r = await request.post('/api/v1/people', { headers: auth(write), data: { family_name: '試験', given_name: '二号', family_kana: 'shiken', given_kana: 'にごう' } });
  expect(r.status()).toBe(422);
  expect((await r.json()).error.fields.map((f) => f.field)).toEqual(['family_kana']);
  await page.goto(`/people/${person.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('試験 連携子');
  await expect(page.getByText('API-7')).toBeVisible();

  // The page in English.
  await page.goto('/settings/api-tokens');
  await page.locator('#lang-select').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API tokens');
  await expect(page.locator('table.api-tokens')).toContainText('Read only');
  await page.locator('#lang-select').selectOption('ja');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('APIトークン');

  // Revoking the read token: confirmed, then it is refused.
  page.once('dialog', (d) => d.accept());
  await page.locator('tr', { hasText: `kaeru_…${hint}` }).getByRole('button', { name: '失効させる' }).click();
  await expect(page.getByText('トークンを失効させました')).toBeVisible();
  await expect(page.locator('tr', { hasText: `kaeru_…${hint}` })).toContainText('失効');
  r = await request.get('/api/v1/people', { headers: auth(read) });
  expect(r.status()).toBe(401);
  r = await request.get(`/api/v1/people/${person.id}`, { headers: auth(write) });
  expect(r.status()).toBe(200);
});

// The API reaches what the pages do: a script finds an alumna by her reading (any script), logs a contact and
// a 業務委託 contract for her, and HR sees both on her page and in the contracts list.
test('a script finds an alumna by reading, logs a contact and a contract, and HR sees them', async ({ page, request }) => {
  await login(page, 'shacho@sakura-seiki.example', 'kaeru-demo-2026');
  await page.goto('/settings/api-tokens');
  const token = await makeToken(page, '連携スクリプト', 'write');
  const auth = { Authorization: `Bearer ${token}` };

  let r = await request.get('/api/v1/people?status=alumnus&per_page=1', { headers: auth });
  const someone = (await r.json()).items[0];
  // Her reading in katakana finds her, with the true total of everyone who matches.
  const katakana = someone.family_kana.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
  r = await request.get(`/api/v1/people?q=${encodeURIComponent(katakana)}&per_page=200`, { headers: auth });
  expect(r.status()).toBe(200);
  const found = await r.json();
  expect(found.total).toBeGreaterThanOrEqual(1);
  expect(found.items.map((p) => p.id)).toContain(someone.id);

  r = await request.post(`/api/v1/people/${someone.id}/touchpoints`, { headers: auth, data: { channel: 'line', note: 'APIから：近況を聞いた' } });
  expect(r.status()).toBe(201);
  r = await request.post(`/api/v1/people/${someone.id}/contracts`, {
    headers: auth,
    data: { title: 'API連携の業務委託', weekdays: ['tue'], rate_kind: 'day', rate_yen: 30000, start_date: '2026-01-06' },
  });
  expect(r.status()).toBe(201);
  // A refused value comes back beside its field, in the language asked for.
  r = await request.post(`/api/v1/people/${someone.id}/touchpoints`, { headers: { ...auth, 'Accept-Language': 'en' }, data: { channel: 'carrier-pigeon' } });
  expect(r.status()).toBe(422);
  expect((await r.json()).error.fields.map((f) => f.field)).toEqual(['channel']);

  await page.goto(`/people/${someone.id}`);
  await expect(page.getByText('APIから：近況を聞いた')).toBeVisible();
  await expect(page.locator('h1 .badge')).toHaveText('業務委託');
  await page.goto('/engagements');
  await expect(page.getByRole('cell', { name: 'API連携の業務委託' })).toBeVisible();
});
