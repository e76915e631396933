// A real OpenID Connect provider for the single sign-on tests: panva's certified
// oidc-provider with its built-in login form (devInteractions: any password is accepted, the
// login name picks the account). Started and stopped by tests/oidc/conftest.py.
//
//   PORT=5056 REDIRECT_URI=http://127.0.0.1:8000/oidc/callback/ node provider.js
//
// Prints "listening <issuer>" once it accepts connections. Test-only: never run it anywhere else.
import { Provider } from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

// The accounts of the tests, by login name. `nogroups` gets a token without a groups claim.
const ACCOUNTS = {
  leader: { email: 'lea@example.org', name: 'Lea Leader', groups: ['Leaders'] },
  analyst: { email: 'ana@example.org', name: 'Ana Analyst', groups: ['Analysts'] },
  staff: { email: 'sam@example.org', name: 'Sam Staff', groups: ['Staff'] },
  other: { email: 'otto@example.org', name: 'Otto Other', groups: ['Other'] },
  nogroups: { email: 'nora@example.org', name: 'Nora No-Groups' },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID || 'friction',
      client_secret: process.env.CLIENT_SECRET || 'friction-test-secret',
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: { devInteractions: { enabled: true } },
  // Every authorization request must carry a PKCE challenge, so a client without PKCE fails.
  pkce: { required: () => true },
  cookies: { keys: ['test-only-cookie-key'] },
  // The app is first-party: no consent screen, every requested scope is granted.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, ...account };
      },
    };
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
