import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateAccessKeyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteSAMLProviderCommand,
  GetOpenIDConnectProviderCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagOpenIDConnectProviderCommand,
  TagSAMLProviderCommand,
  UntagOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  UpdateSAMLProviderCommand,
} from "@aws-sdk/client-iam";
import {
  AssumeRoleWithSAMLCommand,
  AssumeRoleWithWebIdentityCommand,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { decodeAuthorizationMessage, encodeAuthorizationMessage } from "../../src/iam/authorization-message.js";
import { MemoryBackend } from "../../src/state/store.js";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const iam = () => new IAMClient(server.clientConfig());
const sts = (credentials?: Keys) => new STSClient(credentials ? { ...server.clientConfig(), credentials } : server.clientConfig());

/** The SDK sends AssumeRoleWithWebIdentity / AssumeRoleWithSAML unsigned, with the Action only in the form body. */
const unsignedSts = () => new STSClient(server.clientConfig());
const doc = (statement: object | object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statement });
const THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
const ISSUER = "https://token.example.com/tenant1";

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** An ID token as an OIDC provider would issue it; the signature is arbitrary (STS here cannot fetch the JWKS). */
function jwt(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: "RS256", typ: "JWT", kid: "k1" })}.${b64url({ iss: ISSUER, sub: "user-42", aud: "my-app", iat: now, exp: now + 600, ...claims })}.c2lnbmF0dXJl`;
}

test("OIDC providers: create, get, list, client ids, thumbprints, tags, delete, and their errors", async () => {
  const created = await iam().send(
    new CreateOpenIDConnectProviderCommand({
      Url: "https://oidc.example.org",
      ClientIDList: ["a"],
      ThumbprintList: [THUMBPRINT],
      Tags: [{ Key: "t", Value: "1" }],
    }),
  );
  const arn = created.OpenIDConnectProviderArn as string;
  assert.equal(arn, "arn:aws:iam::000000000000:oidc-provider/oidc.example.org");
  await rejectsWith(
    iam().send(
      new CreateOpenIDConnectProviderCommand({ Url: "https://oidc.example.org", ClientIDList: ["a"], ThumbprintList: [THUMBPRINT] }),
    ),
    "EntityAlreadyExistsException",
    409,
  );
  await rejectsWith(iam().send(new CreateOpenIDConnectProviderCommand({ Url: "http://plain.example.org" })), "InvalidInputException", 400);
  await rejectsWith(
    iam().send(new CreateOpenIDConnectProviderCommand({ Url: "https://x.example.org", ThumbprintList: ["abc"] })),
    "ValidationError",
    400,
  );
  await iam().send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "b" }));
  await iam().send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "b" }));
  await iam().send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "a" }));
  await iam().send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "never-there" }));
  const other = "a".repeat(40);
  await iam().send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: [other] }));
  await iam().send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: "u", Value: "2" }] }));
  await iam().send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ["t"] }));
  const got = await iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  assert.equal(got.Url, "oidc.example.org");
  assert.deepEqual(got.ClientIDList, ["b"]);
  assert.deepEqual(got.ThumbprintList, [other]);
  assert.deepEqual(got.Tags, [{ Key: "u", Value: "2" }]);
  assert.ok(got.CreateDate instanceof Date);
  const tags = await iam().send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }));
  assert.deepEqual(tags.Tags, [{ Key: "u", Value: "2" }]);
  const listed = await iam().send(new ListOpenIDConnectProvidersCommand({}));
  assert.ok(listed.OpenIDConnectProviderList?.some((p) => p.Arn === arn));
  await iam().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  const missing = await rejectsWith(
    iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    "NoSuchEntityException",
    404,
  );
  assert.equal(missing.message, `OpenIDConnect Provider not found for arn ${arn}`);
});

test("AssumeRoleWithWebIdentity checks issuer, audience, expiry and the trust policy's <issuer>:sub condition", async () => {
  const { OpenIDConnectProviderArn: provider } = await iam().send(
    new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ["my-app"], ThumbprintList: [THUMBPRINT] }),
  );
  assert.equal(provider, "arn:aws:iam::000000000000:oidc-provider/token.example.com/tenant1");
  const trust = doc({
    Effect: "Allow",
    Principal: { Federated: provider },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { "token.example.com/tenant1:aud": "my-app" }, StringLike: { "token.example.com/tenant1:sub": "user-*" } },
  });
  const { Role } = await iam().send(new CreateRoleCommand({ RoleName: "web", AssumeRolePolicyDocument: trust }));
  const assume = (token: string, extra: object = {}) =>
    unsignedSts().send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: Role?.Arn, RoleSessionName: "web-session", WebIdentityToken: token, ...extra }),
    );
  const result = await assume(jwt({}));
  assert.equal(result.SubjectFromWebIdentityToken, "user-42");
  assert.equal(result.Audience, "my-app");
  assert.equal(result.Provider, "token.example.com/tenant1");
  assert.equal(result.AssumedRoleUser?.Arn, "arn:aws:sts::000000000000:assumed-role/web/web-session");
  assert.match(result.AssumedRoleUser?.AssumedRoleId ?? "", /^AROA[A-Z2-7]+:web-session$/);
  const creds = result.Credentials;
  const who = await sts({
    accessKeyId: creds?.AccessKeyId as string,
    secretAccessKey: creds?.SecretAccessKey as string,
    sessionToken: creds?.SessionToken,
  }).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, "arn:aws:sts::000000000000:assumed-role/web/web-session");

  await rejectsWith(assume(jwt({ sub: "admin-1" })), "AccessDenied", 403);
  const audience = await rejectsWith(assume(jwt({ aud: "other-app" })), "InvalidIdentityTokenException", 400);
  assert.equal(audience.message, "Incorrect token audience");
  const issuer = await rejectsWith(assume(jwt({ iss: "https://unknown.example.net" })), "InvalidIdentityTokenException", 400);
  assert.equal(issuer.message, "No OpenIDConnect provider found in your account for https://unknown.example.net");
  const expired = await rejectsWith(assume(jwt({ exp: Math.floor(Date.now() / 1000) - 60 })), "ExpiredTokenException", 400);
  assert.match(expired.message, /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
  await rejectsWith(assume("not-a-jwt"), "InvalidIdentityTokenException", 400);
  await rejectsWith(assume(`${b64url({ typ: "JWT" })}.${b64url({ iss: ISSUER })}.x`), "InvalidIdentityTokenException", 400);
  await rejectsWith(assume(jwt({}), { DurationSeconds: 43200 }), "ValidationError", 400);
  await rejectsWith(
    unsignedSts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: "arn:aws:iam::000000000000:role/none",
        RoleSessionName: "x1",
        WebIdentityToken: jwt({}),
      }),
    ),
    "AccessDenied",
    403,
  );
  // An array audience is matched against the registered client ids.
  const multi = await assume(jwt({ aud: ["unrelated", "my-app"] }));
  assert.equal(multi.Audience, "my-app");
});

const SAML_PROVIDER_NAME = "corp-idp";
const METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml" validUntil="2099-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

function samlResponse(
  roleArn: string,
  providerArn: string,
  options: { notOnOrAfter?: string; sessionName?: string; subject?: string } = {},
): string {
  const until = options.notOnOrAfter ?? new Date(Date.now() + 300_000).toISOString();
  const xml = `<?xml version="1.0"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" Version="2.0">
  <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
  <saml:Assertion ID="a1" Version="2.0">
    <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${options.subject ?? "jdoe"}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotOnOrAfter="${until}">
      <saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue>${roleArn},${providerArn}</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>${options.sessionName ?? "jdoe@example.com"}</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`;
  return Buffer.from(xml).toString("base64");
}

test("SAML providers: create, get, update, list, tags, delete; malformed metadata is refused", async () => {
  const created = await iam().send(
    new CreateSAMLProviderCommand({ Name: "temp-idp", SAMLMetadataDocument: METADATA, Tags: [{ Key: "a", Value: "1" }] }),
  );
  const arn = created.SAMLProviderArn as string;
  assert.equal(arn, "arn:aws:iam::000000000000:saml-provider/temp-idp");
  await rejectsWith(
    iam().send(new CreateSAMLProviderCommand({ Name: "temp-idp", SAMLMetadataDocument: METADATA })),
    "EntityAlreadyExistsException",
    409,
  );
  await rejectsWith(
    iam().send(new CreateSAMLProviderCommand({ Name: "broken", SAMLMetadataDocument: `<nope>${"x".repeat(1000)}` })),
    "InvalidInputException",
    400,
  );
  const got = await iam().send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  assert.equal(got.SAMLMetadataDocument, METADATA);
  assert.equal(got.ValidUntil?.toISOString(), "2099-01-01T00:00:00.000Z");
  const updated = METADATA.replace("2099-01-01", "2098-06-01");
  assert.equal(
    (await iam().send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: updated }))).SAMLProviderArn,
    arn,
  );
  assert.equal(
    (await iam().send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).ValidUntil?.toISOString(),
    "2098-06-01T00:00:00.000Z",
  );
  await iam().send(new TagSAMLProviderCommand({ SAMLProviderArn: arn, Tags: [{ Key: "b", Value: "2" }] }));
  assert.deepEqual(
    (await iam().send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn }))).Tags?.map((t) => t.Key),
    ["a", "b"],
  );
  const listed = await iam().send(new ListSAMLProvidersCommand({}));
  assert.ok(listed.SAMLProviderList?.some((p) => p.Arn === arn && p.ValidUntil instanceof Date));
  await iam().send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
  await rejectsWith(iam().send(new GetSAMLProviderCommand({ SAMLProviderArn: arn })), "NoSuchEntityException", 404);
});

test("AssumeRoleWithSAML: the Role attribute pairs role and provider, SAML:aud is checked, expiry enforced", async () => {
  const { SAMLProviderArn: provider } = await iam().send(
    new CreateSAMLProviderCommand({ Name: SAML_PROVIDER_NAME, SAMLMetadataDocument: METADATA }),
  );
  const trust = doc({
    Effect: "Allow",
    Principal: { Federated: provider },
    Action: "sts:AssumeRoleWithSAML",
    Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
  });
  const { Role } = await iam().send(new CreateRoleCommand({ RoleName: "saml-role", AssumeRolePolicyDocument: trust }));
  const { Role: other } = await iam().send(new CreateRoleCommand({ RoleName: "saml-other", AssumeRolePolicyDocument: trust }));
  const assume = (assertion: string, roleArn = Role?.Arn) =>
    unsignedSts().send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: provider, SAMLAssertion: assertion }));
  const result = await assume(samlResponse(Role?.Arn as string, provider as string));
  assert.equal(result.Subject, "jdoe");
  assert.equal(result.SubjectType, "persistent");
  assert.equal(result.Issuer, "https://idp.example.com/saml");
  assert.equal(result.Audience, "https://signin.aws.amazon.com/saml");
  const qualifier = createHash("sha1").update(`https://idp.example.com/saml000000000000/${SAML_PROVIDER_NAME}`).digest("base64");
  assert.equal(result.NameQualifier, qualifier);
  assert.equal(result.AssumedRoleUser?.Arn, "arn:aws:sts::000000000000:assumed-role/saml-role/jdoe@example.com");
  assert.match(result.Credentials?.AccessKeyId ?? "", /^ASIA/);
  // The assertion grants saml-role only.
  await rejectsWith(assume(samlResponse(Role?.Arn as string, provider as string), other?.Arn), "AccessDenied", 403);
  const past = samlResponse(Role?.Arn as string, provider as string, { notOnOrAfter: new Date(Date.now() - 1000).toISOString() });
  await rejectsWith(assume(past), "ExpiredTokenException", 400);
  await rejectsWith(assume(Buffer.from("<not-saml/>").toString("base64")), "InvalidIdentityTokenException", 400);
  await rejectsWith(assume(Buffer.from("garbage <<<").toString("base64")), "InvalidIdentityTokenException", 400);
  await rejectsWith(
    assume(samlResponse(Role?.Arn as string, provider as string, { sessionName: "x" })),
    "InvalidIdentityTokenException",
    400,
  );
  const unknownProvider = "arn:aws:iam::000000000000:saml-provider/none";
  await rejectsWith(
    unsignedSts().send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: Role?.Arn,
        PrincipalArn: unknownProvider,
        SAMLAssertion: samlResponse(Role?.Arn as string, unknownProvider),
      }),
    ),
    "InvalidIdentityTokenException",
    400,
  );
});

test("GetFederationToken: federated-user ARN, duration limits, session credentials refused", async () => {
  await iam().send(new CreateUserCommand({ UserName: "broker" }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: "broker" }));
  const broker = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const policy = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
  const token = await sts(broker).send(new GetFederationTokenCommand({ Name: "Bob", Policy: policy, DurationSeconds: 1800 }));
  assert.equal(token.FederatedUser?.Arn, "arn:aws:sts::000000000000:federated-user/Bob");
  assert.equal(token.FederatedUser?.FederatedUserId, "000000000000:Bob");
  assert.ok((token.PackedPolicySize ?? 0) > 0);
  const expires = token.Credentials?.Expiration?.getTime() ?? 0;
  assert.ok(Math.abs(expires - (Date.now() + 1800_000)) < 60_000);
  const federated = {
    accessKeyId: token.Credentials?.AccessKeyId as string,
    secretAccessKey: token.Credentials?.SecretAccessKey as string,
    sessionToken: token.Credentials?.SessionToken,
  };
  const who = await sts(federated).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, "arn:aws:sts::000000000000:federated-user/Bob");
  assert.equal(who.UserId, "000000000000:Bob");
  const chained = await rejectsWith(sts(federated).send(new GetFederationTokenCommand({ Name: "Again" })), "AccessDenied", 403);
  assert.equal(chained.message, "Cannot call GetFederationToken with session credentials");
  await rejectsWith(sts(broker).send(new GetFederationTokenCommand({ Name: "B" })), "ValidationError", 400);
  await rejectsWith(sts(broker).send(new GetFederationTokenCommand({ Name: "Bob", DurationSeconds: 129601 })), "ValidationError", 400);
  await rejectsWith(
    sts(broker).send(new GetFederationTokenCommand({ Name: "Bob", Policy: "{bad" })),
    "MalformedPolicyDocumentException",
    400,
  );
  // Root's federated sessions last at most one hour.
  const root = await sts().send(new GetFederationTokenCommand({ Name: "RootFed", DurationSeconds: 7200 }));
  assert.ok((root.Credentials?.Expiration?.getTime() ?? 0) <= Date.now() + 3600_000 + 60_000);
});

test("DecodeAuthorizationMessage: refuses garbage; our sealed messages decode only in their account and only unaltered", async () => {
  const garbage = await rejectsWith(
    sts().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "not-an-encoded-message" })),
    "InvalidAuthorizationMessageException",
    400,
  );
  assert.match(garbage.message, /not a valid encoded authorization message/);
  await rejectsWith(sts().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "" })), "ValidationError", 400);
  const state = new MemoryBackend();
  const encoded = encodeAuthorizationMessage(state, "111111111111", {
    allowed: false,
    explicitDeny: true,
    principal: { id: "AIDAEXAMPLE", arn: "arn:aws:iam::111111111111:user/bob", name: "bob" },
    action: "ec2:RunInstances",
    resource: "arn:aws:ec2:us-east-1:111111111111:instance/*",
    conditions: { "ec2:Region": "us-east-1", "aws:TagKeys": ["a", "b"] },
    matchedStatements: [{ Sid: "NoRun", Effect: "Deny", Action: ["ec2:RunInstances"], Resource: ["*"] }],
  });
  const decoded = JSON.parse(decodeAuthorizationMessage(state, "111111111111", encoded) ?? "null");
  assert.equal(decoded.allowed, false);
  assert.equal(decoded.explicitDeny, true);
  assert.equal(decoded.context.action, "ec2:RunInstances");
  assert.equal(decoded.context.principal.arn, "arn:aws:iam::111111111111:user/bob");
  assert.deepEqual(decoded.context.conditions.items[1], { key: "aws:TagKeys", values: { items: [{ value: "a" }, { value: "b" }] } });
  assert.equal(decoded.matchedStatements.items[0].effect, "DENY");
  assert.equal(decodeAuthorizationMessage(state, "222222222222", encoded), undefined);
  const tampered = `${encoded.slice(0, -2)}${encoded.endsWith("AA") ? "BB" : "AA"}`;
  assert.equal(decodeAuthorizationMessage(state, "111111111111", tampered), undefined);
});
