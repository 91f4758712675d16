// Browser journeys in Debian's headless Chromium (never a downloaded browser).
// Two servers: one on a fresh database (first-run setup onwards), one seeded with the demo company.
// Run through ./run.sh, which prepares their databases (SQLite by default, PostgreSQL with `./run.sh postgres`).
const { defineConfig } = require('@playwright/test');

const bin = process.env.KAERU_BIN || '../target/debug/kaeru';
const freshPort = 18181;
const demoPort = 18182;

function server(port, dir, url, extra) {
  return {
    command: `${bin} serve --listen 127.0.0.1:${port} --data-dir ${dir}${extra}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      ...process.env,
      KAERU_DATABASE_URL: url || '',
      KAERU_LOG: 'warn',
      KAERU_SMTP_HOST: '127.0.0.1',
      KAERU_SMTP_PORT: process.env.KAERU_E2E_SMTP_PORT || '18125',
      KAERU_SMTP_TLS: 'none',
      KAERU_MAIL_FROM: 'さくら精機 <no-reply@sakura-seiki.example>',
      KAERU_LINE_API_URL: process.env.KAERU_E2E_LINE_URL || 'http://127.0.0.1:9',
      KAERU_LINE_ACCESS_URL: process.env.KAERU_E2E_LINE_URL || 'http://127.0.0.1:9',
    },
  };
}

module.exports = defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    trace: 'off',
    actionTimeout: 10_000,
  },
  projects: [
    { name: 'fresh', testMatch: /fresh\.spec\.js/, use: { baseURL: `http://127.0.0.1:${freshPort}` } },
    { name: 'demo', testMatch: /(analytics|demo|offers|skills|portal|network|revolving|import|api|messages|events|screens|way_back)\.spec\.js/, use: { baseURL: `http://127.0.0.1:${demoPort}` } },
  ],
  webServer: [
    server(freshPort, process.env.KAERU_E2E_FRESH_DIR || '/tmp/kaeru-e2e/fresh', process.env.KAERU_E2E_FRESH_URL, ''),
    server(demoPort, process.env.KAERU_E2E_DEMO_DIR || '/tmp/kaeru-e2e/demo', process.env.KAERU_E2E_DEMO_URL, ' --demo'),
  ],
});
