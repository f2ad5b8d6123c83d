// The S3 client: first against a fake `fetch` (always run: configuration, the
// mapping of answers, what error messages hold), then against a real Ceph RGW
// on 127.0.0.1 (opt-in with RUNLOG_S3_TESTS=1; see tests/_rgw.ts), on the
// runtime running this file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { Buffer } from "node:buffer";
import { S3Client, type S3ClientOptions, S3Error } from "../src/s3/s3_client.ts";
import { parseErrorBody } from "../src/s3/s3_error.ts";
import { md5, md5Base64, md5Hex } from "../src/s3/_md5.ts";
import { decodeXmlText, escapeXmlText, xmlElements, xmlText } from "../src/s3/_xml.ts";
import { concatBytes } from "../src/_bytes.ts";
import { fixture } from "./_processes.ts";
import { raceScripts, skipUnlessS3, withRgwBucket } from "./_rgw.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const KEY_ID = "AKIALEAKCHECK0000001";
const SECRET = "leak/Check+Secret/0123456789abcdefghijkl";
const TOKEN = "SessionTokenLeakCheck0123456789";

/** A client whose requests go to `answer`; `requests` keeps each one sent. */
function fakeClient(
  answer: (request: Request) => Response | Promise<Response>,
  options: Partial<S3ClientOptions> = {},
): { client: S3Client; requests: Request[] } {
  const requests: Request[] = [];
  const client = new S3Client({
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    bucket: "runs",
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
    sessionToken: TOKEN,
    fetch: async (request) => {
      requests.push(request.clone());
      return await answer(request);
    },
    ...options,
  });
  return { client, requests };
}

function errorXml(code: string, message = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>` +
    `<RequestId>tx-1</RequestId></Error>`;
}

function answer(status: number, body = "", headers: Record<string, string> = {}): Response {
  return new Response(status === 204 || status === 304 || body === "" ? null : body, {
    status,
    headers,
  });
}

function assertNoCredentials(value: string, where: string): void {
  for (const secret of [KEY_ID, SECRET, TOKEN]) {
    assert.ok(!value.includes(secret), `${where} holds a credential: ${value}`);
  }
}

/** Whether `fn` throws an S3Error with this code; returns it. */
async function s3Error(fn: () => Promise<unknown>, code: string): Promise<S3Error> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof S3Error, `not an S3Error: ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected an S3Error ${code}`);
}

test("`S3Client.fromEnv()` reads the standard AWS variables, and options win over them", async () => {
  const sent: Request[] = [];
  const fetch = (request: Request) => {
    sent.push(request);
    return Promise.resolve(answer(200, "x", { etag: '"e"' }));
  };
  const full = S3Client.fromEnv({
    bucket: "runs",
    fetch,
    env: {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_REGION: "eu-west-3",
      AWS_DEFAULT_REGION: "us-west-2",
      AWS_ENDPOINT_URL_S3: "https://s3.example.test/",
      AWS_ENDPOINT_URL: "https://other.example.test",
    },
  });
  assert.equal(full.endpoint, "https://s3.example.test");
  assert.equal(full.region, "eu-west-3");
  await full.get("a/b");
  assert.equal(sent[0].url, "https://s3.example.test/runs/a/b");
  const auth = sent[0].headers.get("authorization") ?? "";
  assert.match(
    auth,
    new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY_ID}/\\d{8}/eu-west-3/s3/aws4_request`),
  );
  assert.equal(sent[0].headers.get("x-amz-security-token"), TOKEN);
  assert.equal(sent[0].headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");

  const fallbacks = S3Client.fromEnv({
    bucket: "runs",
    env: {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_DEFAULT_REGION: "us-west-2",
      AWS_ENDPOINT_URL: "http://localhost:9000",
    },
  });
  assert.equal(fallbacks.region, "us-west-2");
  assert.equal(fallbacks.endpoint, "http://localhost:9000");

  const aws = S3Client.fromEnv({
    bucket: "runs",
    env: { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: "" },
  });
  assert.equal(aws.region, "us-east-1", "an empty variable counts as unset");
  assert.equal(aws.endpoint, "https://s3.us-east-1.amazonaws.com");

  const given = S3Client.fromEnv({
    bucket: "other",
    endpoint: "http://127.0.0.1:17480",
    region: "auto",
    env: { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: "eu-west-3" },
  });
  assert.deepEqual([given.endpoint, given.region, given.bucket], [
    "http://127.0.0.1:17480",
    "auto",
    "other",
  ]);
});

test("`S3Client.fromEnv()` names a missing variable and never echoes a credential", () => {
  for (
    const [env, missing] of [
      [{}, "AWS_ACCESS_KEY_ID"],
      [{ AWS_ACCESS_KEY_ID: KEY_ID }, "AWS_SECRET_ACCESS_KEY"],
      [{ AWS_SECRET_ACCESS_KEY: SECRET, AWS_ACCESS_KEY_ID: "" }, "AWS_ACCESS_KEY_ID"],
    ] as const
  ) {
    assert.throws(() => S3Client.fromEnv({ bucket: "runs", env }), (error: unknown) => {
      assert.ok(error instanceof S3Error);
      assert.equal(error.code, "InvalidConfiguration");
      assert.match(error.message, new RegExp(`${missing} is not set`));
      assertNoCredentials(error.message, "the message");
      return true;
    });
  }
});

test("`new S3Client()` refuses plain http unless the host is loopback or allowInsecureHttp is set", () => {
  const options = {
    region: "us-east-1",
    bucket: "runs",
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
  };
  for (
    const endpoint of ["http://10.0.0.5:9000", "http://s3.example.test", "http://[fe80::1]:9000"]
  ) {
    assert.throws(() => new S3Client({ ...options, endpoint }), (error: unknown) => {
      assert.ok(error instanceof S3Error);
      assert.equal(error.code, "InvalidConfiguration");
      assert.match(error.message, /refusing plain http to .*use https, or set allowInsecureHttp/);
      return true;
    });
    assert.equal(
      new S3Client({ ...options, endpoint, allowInsecureHttp: true }).endpoint,
      endpoint,
    );
  }
  for (
    const endpoint of [
      "http://127.0.0.1:17480",
      "http://127.1.2.3",
      "http://localhost:9000",
      "http://[::1]:9000",
      "https://s3.example.test/base/",
    ]
  ) {
    assert.ok(
      new S3Client({ ...options, endpoint }).endpoint.startsWith(endpoint.replace(/\/$/, "")),
    );
  }
  for (const endpoint of ["ftp://127.0.0.1", "not a url", "https://s3.example.test/?x=1"]) {
    assert.throws(
      () => new S3Client({ ...options, endpoint }),
      /S3 configure of s3:\/\/runs failed with InvalidConfiguration; the endpoint/,
    );
  }
});

test("`new S3Client()` refuses credentials in the endpoint URL without repeating them", () => {
  assert.throws(
    () =>
      new S3Client({
        endpoint: `https://${KEY_ID}:${encodeURIComponent(SECRET)}@s3.example.test`,
        region: "us-east-1",
        bucket: "runs",
        accessKeyId: "other-key-id",
        secretAccessKey: "other-secret",
      }),
    (error: unknown) => {
      assert.ok(error instanceof S3Error);
      assert.match(error.message, /has credentials in it/);
      assertNoCredentials(error.message, "the message");
      assertNoCredentials(encodeURIComponent(error.message), "the message");
      return true;
    },
  );
  assert.throws(
    () =>
      new S3Client({
        endpoint: "https://s3.example.test",
        region: "us-east-1",
        bucket: "a/b",
        accessKeyId: KEY_ID,
        secretAccessKey: SECRET,
      }),
    /"a\/b" is not a bucket name/,
  );
  assert.throws(
    () =>
      new S3Client({
        endpoint: "https://s3.example.test",
        region: "us-east-1",
        bucket: "runs",
        accessKeyId: KEY_ID,
        secretAccessKey: "",
      }),
    /secretAccessKey is empty/,
  );
});

test("`S3Error` messages never hold credentials, whatever the server echoes", async () => {
  const echo = `key ${KEY_ID} secret ${SECRET} token ${TOKEN}`;
  const { client } = fakeClient(() =>
    answer(
      403,
      errorXml("SignatureDoesNotMatch", echo).replace(
        "</Error>",
        `<AWSAccessKeyId>${KEY_ID}</AWSAccessKeyId><StringToSign>${SECRET}</StringToSign></Error>`,
      ),
    )
  );
  const calls: [string, () => Promise<unknown>][] = [
    ["put", () => client.put("k", "v")],
    ["get", () => client.get("k")],
    ["head", () => client.head("k")],
    ["delete", () => client.delete("k")],
    ["list", () => client.list("").next()],
    ["createMultipart", () => client.createMultipart("k")],
    ["uploadPart", () => client.uploadPart("k", "u", 1, new Uint8Array(1))],
    ["completeMultipart", () => client.completeMultipart("k", "u", [{ partNumber: 1, etag: "e" }])],
    ["abortMultipart", () => client.abortMultipart("k", "u")],
    ["listMultipartUploads", () => client.listMultipartUploads("").next()],
  ];
  for (const [operation, call] of calls) {
    const error = await s3Error(call, "SignatureDoesNotMatch");
    assert.equal(error.operation, operation);
    assert.equal(error.status, 403);
    assert.match(error.message, /check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
    assert.match(error.message, /\[redacted\]/, "the server's message is kept, redacted");
    assertNoCredentials(error.message, `${operation}: the message`);
    assertNoCredentials(String(error.stack), `${operation}: the stack`);
    assertNoCredentials(inspect(error, { depth: 5 }), `${operation}: the inspected error`);
    assertNoCredentials(JSON.stringify(error), `${operation}: the error as JSON`);
  }
  const broken = fakeClient(() => Promise.reject(new TypeError("fetch failed")));
  const network = await s3Error(() => broken.client.get("k"), "NetworkError");
  assert.equal(network.status, 0);
  assert.match(network.message, /no answer from the endpoint: check the endpoint URL/);
  assertNoCredentials(network.message, "a network error");
  // Nor can the client itself show them.
  assertNoCredentials(inspect(client, { depth: 10, showHidden: true }), "the inspected client");
  assertNoCredentials(JSON.stringify(client), "the client as JSON");
});

test("`parseErrorBody()` reads Code, Message and RequestId tolerantly", () => {
  assert.deepEqual(parseErrorBody(errorXml("NoSuchKey", "The &lt;key&gt; &amp; more")), {
    code: "NoSuchKey",
    message: "The <key> & more",
    requestId: "tx-1",
  });
  assert.deepEqual(
    parseErrorBody(
      '\n  <Error xmlns="x">\n<Code> SlowDown </Code><Message/><Extra><Code>no</Code></Extra></Error>',
    ),
    { code: "SlowDown", message: undefined, requestId: undefined },
  );
  assert.deepEqual(
    parseErrorBody("<Error><Code><![CDATA[Odd<Code>]]></Code></Error>")?.code,
    "Odd<Code>",
  );
  for (
    const body of [
      "",
      "<html>502 Bad Gateway</html>",
      "<Error><Message>no code</Message></Error>",
      "<Error><Code>",
    ]
  ) {
    assert.equal(parseErrorBody(body), undefined, body);
  }
});

test("`S3Client` reports a status without an S3 body by its HTTP meaning", async () => {
  const { client } = fakeClient(() => answer(502, "<html>Bad Gateway</html>"));
  const error = await s3Error(() => client.get("k"), "HTTP502");
  assert.match(
    error.message,
    /S3 get of s3:\/\/runs\/k at http:\/\/127\.0\.0\.1:9 failed with 502 HTTP502; the server failed: retry later/,
  );
  const missing = fakeClient(() => answer(404, errorXml("NoSuchBucket"))).client;
  const bucket = await s3Error(() => missing.get("k"), "NoSuchBucket");
  assert.match(bucket.message, /the bucket does not exist at this endpoint: create the bucket/);
  const moved =
    fakeClient(() => answer(301, errorXml("PermanentRedirect"), { location: "https://elsewhere" }))
      .client;
  assert.match(
    (await s3Error(() => moved.head("k"), "PermanentRedirect")).message,
    /set AWS_REGION/,
  );
});

test("`S3Client.put()` turns conditional answers into exists, changed or unknown", async () => {
  const cases: [number, string, "*" | undefined, string | undefined, string | undefined][] = [
    // status, code, ifNoneMatch, ifMatch, expected reason (undefined: throws)
    [412, "PreconditionFailed", "*", undefined, "exists"],
    [409, "ConditionalRequestConflict", "*", undefined, "exists"],
    [412, "PreconditionFailed", undefined, "abc", "changed"],
    [404, "NoSuchKey", undefined, "abc", "changed"],
    [409, "ConditionalRequestConflict", undefined, "abc", "changed"],
    [500, "UnknownError", undefined, "abc", "unknown"],
    [503, "SlowDown", "*", undefined, "unknown"],
    [404, "NoSuchBucket", undefined, "abc", undefined],
    [404, "NoSuchBucket", "*", undefined, undefined],
    [403, "AccessDenied", "*", undefined, undefined],
    [400, "InvalidArgument", undefined, "abc", undefined],
    [500, "InternalError", undefined, undefined, undefined],
    [412, "PreconditionFailed", undefined, undefined, undefined],
  ];
  for (const [status, code, ifNoneMatch, ifMatch, reason] of cases) {
    const { client } = fakeClient(() => answer(status, errorXml(code)));
    const put = () => client.put("k", "v", { ifNoneMatch, ifMatch });
    const label = `${status} ${code} ifNoneMatch=${ifNoneMatch} ifMatch=${ifMatch}`;
    if (reason === undefined) {
      await s3Error(put, code);
      continue;
    }
    const result = await put();
    assert.ok(!result.ok, label);
    assert.equal(result.reason, reason, label);
    assert.equal(result.error.code, code, label);
  }
  // No answer at all: a conditional write may have happened; a plain one throws.
  const { client } = fakeClient(() => Promise.reject(new TypeError("socket hang up")));
  const lost = await client.put("k", "v", { ifNoneMatch: "*" });
  assert.ok(!lost.ok && lost.reason === "unknown" && lost.error.code === "NetworkError");
  await s3Error(() => client.put("k", "v"), "NetworkError");
  await assert.rejects(client.put("k", "v", { ifNoneMatch: "*", ifMatch: "e" }), /not both/);
  await assert.rejects(client.put("k", "v", { ifMatch: '""' }), /ifMatch is empty/);
});

test("`S3Client.put()` sends If-Match unquoted, returns ETags unquoted, and sends Content-MD5 when asked", async () => {
  const { client, requests } = fakeClient(() =>
    answer(200, "", { etag: '"9e107d9d372bb6826bd81d3542a419d6"' })
  );
  const body = encoder.encode("The quick brown fox jumps over the lazy dog");
  const result = await client.put("lease.json", body, {
    ifMatch: 'W/"0123abc"',
    contentMd5: true,
    contentType: "application/json",
  });
  assert.deepEqual(result, { ok: true, etag: "9e107d9d372bb6826bd81d3542a419d6" });
  const sent = requests[0];
  assert.equal(sent.method, "PUT");
  assert.equal(sent.headers.get("if-match"), "0123abc");
  assert.equal(sent.headers.get("if-none-match"), null);
  assert.equal(sent.headers.get("content-md5"), "nhB9nTcrtoJr2B01QqQZ1g==");
  assert.equal(sent.headers.get("content-type"), "application/json");
  assert.deepEqual(new Uint8Array(await sent.arrayBuffer()), body);
  // Conditional headers are signed, so that nobody on the way can drop them.
  assert.match(sent.headers.get("authorization") ?? "", /SignedHeaders=[^,]*if-match/);
  await client.put("claim", "x", { ifNoneMatch: "*" });
  assert.equal(requests[1].headers.get("if-none-match"), "*");
  assert.equal(requests[1].headers.get("content-md5"), null);
  const noEtag = fakeClient(() => answer(200)).client;
  await s3Error(() => noEtag.put("k", "v"), "InvalidResponse");
});

test("`S3Client.put()` signs a given SHA-256 as the payload hash, and refuses one that is not hex", async () => {
  const { client, requests } = fakeClient(() => answer(200, "", { etag: '"e"' }));
  const body = encoder.encode("segment bytes");
  const sha256 = createHash("sha256").update(body).digest("hex");
  await client.put("segments/x", body, { ifNoneMatch: "*", sha256 });
  assert.equal(requests[0].headers.get("x-amz-content-sha256"), sha256);
  assert.match(
    requests[0].headers.get("authorization") ?? "",
    /SignedHeaders=[^,]*x-amz-content-sha256/,
  );
  await client.put("plain", body);
  assert.equal(requests[1].headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  await assert.rejects(client.put("k", body, { sha256: "ABC" }), /sha256 must be 64 lowercase hex/);
});

test("`S3Client.list()` pages carry the server's Date, to judge lastModified by its clock", async () => {
  const { client } = fakeClient(() =>
    answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", {
      date: "Fri, 04 Dec 2026 10:00:00 GMT",
    })
  );
  const pages = [];
  for await (const page of client.list("p/")) pages.push(page);
  assert.equal(pages[0].serverDate?.toISOString(), "2026-12-04T10:00:00.000Z");
});

test("`S3Client` addresses keys path-style, every special character encoded", async () => {
  const { client, requests } = fakeClient(() => answer(200, "x", { etag: '"e"' }));
  const key = "runs/a b+c/ü%2F&=?#!*'()~/é.log";
  await client.get(key);
  const url = new URL(requests[0].url);
  assert.equal(url.host, "127.0.0.1:9");
  assert.equal(url.search, "");
  assert.equal(
    url.pathname,
    "/runs/runs/a%20b%2Bc/%C3%BC%252F%26%3D%3F%23%21%2A%27%28%29~/%C3%A9.log",
  );
  assert.deepEqual(url.pathname.split("/").slice(2).map(decodeURIComponent), key.split("/"));
  for (const bad of ["", "a/../b", "./a", "a/.", "x".repeat(1025), "é".repeat(513), "\ud800"]) {
    await assert.rejects(client.get(bad), TypeError, JSON.stringify(bad));
  }
  await client.get("é".repeat(512)); // 1024 bytes: the most a key may have
});

test("`S3Client.get()` reads a range from start to end (exclusive), and past the end as nothing new", async () => {
  const object = encoder.encode("0123456789");
  const { client, requests } = fakeClient((request) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get("range") ?? "");
    if (range === null) return answer(200, "0123456789", { etag: '"e"' });
    const start = Number(range[1]);
    if (start >= object.length) {
      return answer(416, errorXml("InvalidRange"), { "content-range": "bytes */10" });
    }
    const last = range[2] === ""
      ? object.length - 1
      : Math.min(Number(range[2]), object.length - 1);
    return new Response(object.slice(start, last + 1), {
      status: 206,
      headers: { etag: '"e"', "content-range": `bytes ${start}-${last}/10` },
    });
  });
  assert.deepEqual(await client.get("k"), {
    body: object,
    etag: "e",
    size: 10,
    lastModified: undefined,
  });
  assert.equal(requests[0].headers.get("range"), null, "a whole read sends no Range");
  const middle = await client.get("k", { start: 2, end: 5 });
  assert.equal(requests[1].headers.get("range"), "bytes=2-4");
  assert.deepEqual([text(middle!.body), middle!.size, middle!.etag], ["234", 10, "e"]);
  assert.equal(text((await client.get("k", { start: 7 }))!.body), "789");
  assert.equal(text((await client.get("k", { end: 3 }))!.body), "012");
  const atEnd = await client.get("k", { start: 10 });
  assert.deepEqual(atEnd, {
    body: new Uint8Array(0),
    etag: undefined,
    size: 10,
    lastModified: undefined,
  });
  await assert.rejects(client.get("k", { start: 5, end: 5 }), RangeError);
  await assert.rejects(client.get("k", { start: -1 }), RangeError);

  // Ceph RGW's 416 says no size; a server that ignores Range sends everything.
  const rgw = fakeClient(() => answer(416, errorXml("InvalidRange"))).client;
  assert.deepEqual(await rgw.get("k", { start: 10 }), {
    body: new Uint8Array(0),
    etag: undefined,
    size: undefined,
    lastModified: undefined,
  });
  const ignoring = fakeClient(() => answer(200, "0123456789", { etag: '"e"' })).client;
  const cut = await ignoring.get("k", { start: 3, end: 6 });
  assert.deepEqual([text(cut!.body), cut!.size], ["345", 10]);
  assert.equal(
    await fakeClient(() => answer(404, errorXml("NoSuchKey"))).client.get("k"),
    undefined,
  );
});

test("`S3Client.list()` follows continuation tokens and decodes URL-encoded keys and prefixes", async () => {
  const pages = [
    `<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>t/1+=</NextContinuationToken>` +
    `<Contents><Key>p/a+b%2Bc%26</Key><LastModified>2026-12-04T10:00:00.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>3</Size></Contents>` +
    `<CommonPrefixes><Prefix>p/logs-1%2F</Prefix></CommonPrefixes></ListBucketResult>`,
    `<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>` +
    `<CommonPrefixes><Prefix>p/logs-2%2F</Prefix></CommonPrefixes><CommonPrefixes><Prefix>p/%C3%A9/</Prefix></CommonPrefixes></ListBucketResult>`,
  ];
  const { client, requests } = fakeClient(() => answer(200, pages[requests.length - 1]));
  const seen = [];
  for await (const page of client.list("p/", { delimiter: "/", maxKeys: 2, startAfter: "p/0" })) {
    seen.push(page);
  }
  assert.deepEqual(seen, [
    {
      keys: [{
        key: "p/a b+c&",
        size: 3,
        etag: "e1",
        lastModified: new Date("2026-12-04T10:00:00.000Z"),
      }],
      prefixes: ["p/logs-1/"],
      serverDate: undefined, // the fake answers without a Date header
    },
    { keys: [], prefixes: ["p/logs-2/", "p/é/"], serverDate: undefined },
  ]);
  const first = new URL(requests[0].url).searchParams;
  assert.deepEqual(Object.fromEntries(first), {
    "list-type": "2",
    "encoding-type": "url",
    prefix: "p/",
    delimiter: "/",
    "max-keys": "2",
    "start-after": "p/0",
  });
  const second = new URL(requests[1].url).searchParams;
  assert.equal(second.get("continuation-token"), "t/1+=");
  assert.equal(second.get("start-after"), null);
  assert.match(requests[1].url, /continuation-token=t%2F1%2B%3D/);

  const endless =
    fakeClient(() =>
      answer(200, "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
    ).client;
  await s3Error(() => endless.list("").next(), "InvalidResponse");
  const html = fakeClient(() => answer(200, "<html>hello</html>")).client;
  await s3Error(() => html.list("").next(), "InvalidResponse");
  await assert.rejects(client.list("", { maxKeys: 0 }).next(), RangeError);
});

test("`S3Client.completeMultipart()` sends the parts in order, and fails on an <Error> inside a 200", async () => {
  let completed = "";
  const { client } = fakeClient(async (request) => {
    if (request.method === "POST") {
      completed = await request.text();
      return answer(
        200,
        "<CompleteMultipartUploadResult><ETag>&quot;abc-2&quot;</ETag></CompleteMultipartUploadResult>",
      );
    }
    return answer(200, "", { etag: '"abc-2"', "content-length": "6291456" });
  });
  const info = await client.completeMultipart("k", "u1", [{ partNumber: 2, etag: "p2" }, {
    partNumber: 1,
    etag: '"p1"',
  }]);
  assert.deepEqual(info, { etag: "abc-2", size: 6291456, lastModified: undefined });
  assert.equal(
    completed,
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"p1"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"p2"</ETag></Part></CompleteMultipartUpload>',
  );
  const failing =
    fakeClient(() => answer(200, errorXml("InternalError", "We encountered an internal error")))
      .client;
  const error = await s3Error(
    () => failing.completeMultipart("k", "u1", [{ partNumber: 1, etag: "p1" }]),
    "InternalError",
  );
  assert.equal(error.status, 200);
  await assert.rejects(client.completeMultipart("k", "u1", []), /at least one/);
  await assert.rejects(
    client.completeMultipart("k", "u1", [{ partNumber: 1, etag: "a" }, {
      partNumber: 1,
      etag: "b",
    }]),
    /listed twice/,
  );
  await assert.rejects(client.uploadPart("k", "u1", 0, new Uint8Array(1)), RangeError);
  await assert.rejects(client.uploadPart("k", "u1", 10_001, new Uint8Array(1)), RangeError);
});

test("`S3Client` gives up on a request that gets no answer within timeoutMs", async () => {
  const { client } = fakeClient(
    (request) =>
      new Promise((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason))
      ),
    { timeoutMs: 50 },
  );
  const error = await s3Error(() => client.head("k"), "Timeout");
  assert.match(error.message, /no complete answer within 50 ms/);
  const claim = await client.put("k", "v", { ifNoneMatch: "*" });
  assert.ok(!claim.ok && claim.reason === "unknown" && claim.error.code === "Timeout");
});

test("`md5()` agrees with node:crypto at every block boundary and on views", () => {
  for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 121, 128, 1000, 70_001]) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 255);
    const view = new Uint8Array(length + 7).subarray(7);
    view.set(bytes);
    const expected = createHash("md5").update(bytes).digest();
    assert.deepEqual(md5(bytes), new Uint8Array(expected), `length ${length}`);
    assert.equal(md5Hex(view), expected.toString("hex"), `view of length ${length}`);
    assert.equal(md5Base64(bytes), expected.toString("base64"));
  }
  assert.equal(md5Hex(encoder.encode("abc")), "900150983cd24fb0d6963f7d28e17f72"); // RFC 1321
});

test("`xmlElements()` and `xmlText()` find flat elements and decode their text", () => {
  const xml =
    '<R><Item a="1"><K>x &amp; y</K></Item><Item/><ItemId>no</ItemId><Item>\n<K>&#x263A;&#65;</K></Item></R>';
  assert.deepEqual(xmlElements(xml, "Item").map((item) => xmlText(item, "K")), [
    "x & y",
    undefined,
    "☺A",
  ]);
  assert.equal(xmlText(xml, "ItemId"), "no");
  assert.equal(xmlText(xml, "Missing"), undefined);
  assert.equal(
    decodeXmlText("&lt;&gt;&amp;&quot;&apos;&bogus;&#1114112;"),
    `<>&"'&bogus;&#1114112;`,
  );
  assert.equal(
    escapeXmlText(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;",
  );
});

// ---------- against Ceph RGW ----------

const RACERS = 8;
const PUTS_PER_RACER = 4;
const ROUNDS = 2;

test(
  `\`S3Client.put()\` with ifNoneMatch: of ${
    RACERS * PUTS_PER_RACER
  } PUTs from ${RACERS} processes released at once, exactly one creates the key`,
  { skip: skipUnlessS3, timeout: 600_000 },
  () =>
    withRgwBucket(async (s3) => {
      for (let round = 0; round < ROUNDS; round++) {
        const key = `claims/run-${round}/run.json`;
        const results = await raceScripts(
          fixture("s3_racer.ts"),
          Array.from(
            { length: RACERS },
            () => ({ args: ["claim", s3.bucket, key, String(PUTS_PER_RACER)] }),
          ),
          s3.env,
        ) as {
          pid: number;
          outcome: {
            body: string;
            ok: boolean;
            etag?: string;
            reason?: string;
            status?: number;
            code?: string;
          }[];
        }[];
        const outcomes = results.flatMap((r) => r.outcome);
        assert.equal(outcomes.length, RACERS * PUTS_PER_RACER);
        const winners = outcomes.filter((o) => o.ok);
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(winners)}`);
        for (const loser of outcomes.filter((o) => !o.ok)) {
          assert.deepEqual([loser.reason, loser.status, loser.code], [
            "exists",
            412,
            "PreconditionFailed",
          ]);
        }
        const stored = await s3.client.get(key);
        assert.equal(text(stored!.body), winners[0].body, "the winner's body is the one stored");
        assert.equal(stored!.etag, winners[0].etag);
        assert.equal(
          stored!.etag,
          md5Hex(encoder.encode(winners[0].body)),
          "a single PUT's ETag is its MD5",
        );
      }
    }),
);

test(
  `\`S3Client.put()\` with ifMatch: of ${
    RACERS * PUTS_PER_RACER
  } renewals from one ETag in ${RACERS} processes, exactly one wins`,
  { skip: skipUnlessS3, timeout: 600_000 },
  (t) =>
    withRgwBucket(async (s3) => {
      const key = "leases/run.lease";
      let written = await s3.client.put(key, `initial ${crypto.randomUUID()}`, {
        ifNoneMatch: "*",
      });
      assert.ok(written.ok);
      const reasons = new Map<string, number>();
      for (let round = 0; round < ROUNDS; round++) {
        const results = await raceScripts(
          fixture("s3_racer.ts"),
          Array.from(
            { length: RACERS },
            () => ({
              args: [
                "renew",
                s3.bucket,
                key,
                String(PUTS_PER_RACER),
                written.ok ? written.etag : "",
              ],
            }),
          ),
          s3.env,
        ) as {
          outcome: { body: string; ok: boolean; etag?: string; reason?: string; status?: number }[];
        }[];
        const outcomes = results.flatMap((r) => r.outcome);
        const winners = outcomes.filter((o) => o.ok);
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(winners)}`);
        for (const loser of outcomes.filter((o) => !o.ok)) {
          // RGW answers a lost race with 412, or with 500 (ECANCELED): "unknown" until re-read.
          assert.ok(
            (loser.reason === "changed" && loser.status === 412) ||
              (loser.reason === "unknown" && loser.status === 500),
            JSON.stringify(loser),
          );
          reasons.set(
            `${loser.reason} ${loser.status}`,
            (reasons.get(`${loser.reason} ${loser.status}`) ?? 0) + 1,
          );
        }
        const stored = await s3.client.get(key);
        assert.equal(text(stored!.body), winners[0].body);
        assert.equal(stored!.etag, winners[0].etag);
        written = { ok: true, etag: winners[0].etag! };
      }
      (t as { diagnostic?: (message: string) => void }).diagnostic?.(
        `renewal losers: ${JSON.stringify(Object.fromEntries(reasons))}`,
      );
    }),
);

test(
  "`S3Client.put()` on RGW: exists, changed, a missing key, quoted ETags, empty and unicode bodies",
  { skip: skipUnlessS3, timeout: 300_000 },
  () =>
    withRgwBucket(async (s3) => {
      const { client } = s3;
      const first = await client.put("k", "one", { ifNoneMatch: "*" });
      assert.ok(first.ok);
      assert.equal(first.etag, md5Hex(encoder.encode("one")));
      const again = await client.put("k", "two", { ifNoneMatch: "*" });
      assert.ok(!again.ok && again.reason === "exists" && again.error.status === 412);
      // The quoted form works too: the client strips the quotes RGW would refuse.
      const renewed = await client.put("k", "two", { ifMatch: `"${first.etag}"` });
      assert.ok(renewed.ok);
      const stale = await client.put("k", "three", { ifMatch: first.etag });
      assert.ok(!stale.ok && stale.reason === "changed" && stale.error.status === 412);
      const missing = await client.put("nothing-here", "x", { ifMatch: first.etag });
      assert.ok(
        !missing.ok && missing.reason === "changed",
        "RGW answers 412 (AWS 404): both are changed",
      );
      assert.equal(text((await client.get("k"))!.body), "two");

      const empty = await client.put("empty", new Uint8Array(0), { contentMd5: true });
      assert.ok(empty.ok);
      assert.deepEqual(await client.get("empty"), {
        body: new Uint8Array(0),
        etag: "d41d8cd98f00b204e9800998ecf8427e",
        size: 0,
        lastModified: (await client.head("empty"))!.lastModified,
      });
      const unicode = "ünïcödé ☺ \u{1F600}\n";
      assert.ok(
        (await client.put("u", unicode, {
          contentMd5: true,
          contentType: "text/plain; charset=utf-8",
        })).ok,
      );
      assert.equal(text((await client.get("u"))!.body), unicode);
      const info = await client.head("u");
      assert.equal(info!.size, encoder.encode(unicode).length);
      assert.ok(
        info!.lastModified instanceof Date &&
          Math.abs(info!.lastModified.getTime() - Date.now()) < 300_000,
      );
    }),
);

test("`S3Client.put()` with contentMd5: RGW refuses a body changed on the way", {
  skip: skipUnlessS3,
  timeout: 300_000,
}, () =>
  withRgwBucket(async (s3) => {
    // Flips one bit of every body after it was signed and its MD5 taken.
    const tampering = new S3Client({
      ...s3,
      fetch: async (request) => {
        const body = new Uint8Array(await request.arrayBuffer());
        if (body.length > 0) body[0] ^= 1;
        return fetch(
          new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body,
            redirect: "manual",
          }),
        );
      },
    });
    const error = await s3Error(
      () => tampering.put("k", "payload", { contentMd5: true }),
      "BadDigest",
    );
    assert.equal(error.status, 400);
    assert.equal(await s3.client.head("k"), undefined, "nothing was stored");
    // Without Content-MD5 the changed body is stored as it came (the payload itself is unsigned).
    assert.ok((await tampering.put("k", "payload")).ok);
    assert.equal(text((await s3.client.get("k"))!.body), "qayload");
  }));

test(
  "`S3Client.get()` on RGW: ranges, and a read at the end is nothing new (416) until the object grows",
  { skip: skipUnlessS3, timeout: 300_000 },
  () =>
    withRgwBucket(async (s3) => {
      const { client } = s3;
      const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
      const written = await client.put("log", bytes);
      assert.ok(written.ok);
      const head = await client.get("log", { end: 100 });
      assert.deepEqual([head!.body, head!.size, head!.etag], [
        bytes.subarray(0, 100),
        1000,
        written.etag,
      ]);
      const tail = await client.get("log", { start: 990, end: 2000 });
      assert.deepEqual([tail!.body, tail!.size], [bytes.subarray(990), 1000]);
      const atEnd = await client.get("log", { start: 1000 });
      assert.deepEqual(atEnd, {
        body: new Uint8Array(0),
        etag: undefined,
        size: undefined,
        lastModified: undefined,
      });
      assert.equal((await client.get("log", { start: 5000 }))!.body.length, 0);
      const grown = concatBytes([bytes, encoder.encode("new line\n")]);
      assert.ok((await client.put("log", grown)).ok);
      const next = await client.get("log", { start: 1000 });
      assert.deepEqual([text(next!.body), next!.size], ["new line\n", 1009]);
      assert.ok((await client.put("zero", "")).ok);
      assert.equal(
        (await client.get("zero", { start: 0 }))!.body.length,
        0,
        "offset 0 of an empty object",
      );
      assert.equal((await client.get("zero", { start: 1 }))!.body.length, 0);
      assert.equal(await client.get("log-missing", { start: 10 }), undefined);
    }),
);

test("`S3Client.put()` with sha256: RGW refuses a body changed on the way", {
  skip: skipUnlessS3,
  timeout: 300_000,
}, () =>
  withRgwBucket(async (s3) => {
    const tampering = new S3Client({
      ...s3,
      fetch: async (request) => {
        const body = new Uint8Array(await request.arrayBuffer());
        if (body.length > 0) body[0] ^= 1;
        return fetch(
          new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body,
            redirect: "manual",
          }),
        );
      },
    });
    const sha256 = createHash("sha256").update("payload").digest("hex");
    const error = await s3Error(
      () => tampering.put("k", "payload", { sha256 }),
      "XAmzContentSHA256Mismatch",
    );
    assert.equal(error.status, 400);
    assert.equal(await s3.client.head("k"), undefined, "nothing was stored");
    assert.ok((await s3.client.put("k", "payload", { sha256 })).ok, "an intact body is stored");
  }));

test("`S3Client.list()` on RGW: pages by continuation token, in byte order, with any key", {
  skip: skipUnlessS3,
  timeout: 300_000,
}, () =>
  withRgwBucket(async (s3) => {
    const { client } = s3;
    const runs = [
      "logs-2026-12-04_10-00-00.000Z",
      "logs-2026-12-04_10-00-00.000Z-01",
      "logs-2026-12-04_10-00-00.000Z-02",
      "logs-2026-12-04_09-59-59.999Z",
      "logs-2026-12-04_10-00-00.001Z",
    ];
    const odd = ["a b+c", "ünï", "x&y<z>", "q?r#s%t", "tab\there"];
    const keys = [
      ...runs.map((run) => `.agent/${run}/run.json`),
      ...odd.map((name) => `.agent/odd/${name}`),
      ".agent/top.json",
      "outside.json",
    ];
    for (const key of keys) assert.ok((await client.put(key, key)).ok, key);

    const pages = [];
    for await (const page of client.list(".agent/", { delimiter: "/", maxKeys: 2 })) {
      pages.push(page);
    }
    const prefixes = pages.flatMap((page) => page.prefixes);
    const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const expected = [...runs.map((run) => `.agent/${run}/`), ".agent/odd/"].sort(byteOrder);
    assert.deepEqual(prefixes, expected, "prefixes once each, in byte order");
    // -01/ and -02/ come before the bare run: "-" (0x2D) sorts before "/" (0x2F).
    assert.ok(
      prefixes.indexOf(".agent/logs-2026-12-04_10-00-00.000Z-01/") <
        prefixes.indexOf(".agent/logs-2026-12-04_10-00-00.000Z/"),
    );
    assert.deepEqual(pages.flatMap((page) => page.keys.map((entry) => entry.key)), [
      ".agent/top.json",
    ]);
    assert.ok(
      pages.length >= 4 && pages.every((page) => page.keys.length + page.prefixes.length <= 2),
      JSON.stringify(pages),
    );

    const all = [];
    for await (const page of client.list("", { maxKeys: 3 })) all.push(...page.keys);
    assert.deepEqual(all.map((entry) => entry.key), [...keys].sort(byteOrder));
    for (const entry of all) {
      assert.equal(entry.size, encoder.encode(entry.key).length);
      assert.equal(entry.etag, md5Hex(encoder.encode(entry.key)));
      assert.ok(entry.lastModified instanceof Date && !Number.isNaN(entry.lastModified.getTime()));
      assert.equal(
        text((await client.get(entry.key))!.body),
        entry.key,
        "every listed key reads back",
      );
    }
    const after = [];
    for await (const page of client.list(".agent/odd/", { startAfter: ".agent/odd/tab\there" })) {
      after.push(...page.keys.map((entry) => entry.key));
    }
    assert.deepEqual(after, [".agent/odd/x&y<z>", ".agent/odd/ünï"]);
    const none = [];
    for await (const page of client.list("nothing/")) none.push(page);
    assert.deepEqual(none.map(({ keys, prefixes }) => ({ keys, prefixes })), [{
      keys: [],
      prefixes: [],
    }]);
    // The server's clock, to judge lastModified by: RGW sends a Date header.
    const serverDate = none[0].serverDate;
    assert.ok(serverDate instanceof Date, "list pages carry the server's Date");
    assert.ok(Math.abs(serverDate.getTime() - Date.now()) < 120_000, String(serverDate));
  }));

test("`S3Client` multipart on RGW: two parts (5 MiB and the rest) round trip byte for byte", {
  skip: skipUnlessS3,
  timeout: 300_000,
}, () =>
  withRgwBucket(async (s3) => {
    const { client } = s3;
    const size = 5 * 1024 * 1024 + 123_457;
    const bytes = new Uint8Array(size);
    for (let at = 0; at < size; at += 65_536) {
      crypto.getRandomValues(bytes.subarray(at, at + 65_536));
    }
    const key = "runs/big.log";
    const uploadId = await client.createMultipart(key, { contentType: "text/plain" });
    const split = 5 * 1024 * 1024;
    // Out of order on purpose: completion sorts them.
    const second = await client.uploadPart(key, uploadId, 2, bytes.subarray(split), {
      contentMd5: true,
    });
    const first = await client.uploadPart(key, uploadId, 1, bytes.subarray(0, split), {
      contentMd5: true,
    });
    assert.equal(first.etag, md5Hex(bytes.subarray(0, split)));
    assert.equal(await client.head(key), undefined, "nothing is visible before completion");
    const info = await client.completeMultipart(key, uploadId, [second, first]);
    const expectedEtag = `${
      md5Hex(concatBytes([md5(bytes.subarray(0, split)), md5(bytes.subarray(split))]))
    }-2`;
    assert.deepEqual([info.etag, info.size], [expectedEtag, size]);
    const read = await client.get(key);
    assert.equal(read!.size, size);
    assert.ok(
      Buffer.from(read!.body).equals(Buffer.from(bytes)),
      "the object is byte for byte what was uploaded",
    );
    assert.equal(read!.etag, expectedEtag);
    const across = await client.get(key, { start: split - 10, end: split + 10 });
    assert.deepEqual(across!.body, bytes.subarray(split - 10, split + 10));
    const uploads = [];
    for await (const upload of client.listMultipartUploads("")) uploads.push(upload);
    assert.deepEqual(uploads, [], "a completed upload is no longer listed");

    const small = await client.createMultipart("runs/small.log");
    const parts = [
      await client.uploadPart("runs/small.log", small, 1, new Uint8Array(1024)),
      await client.uploadPart("runs/small.log", small, 2, new Uint8Array(1024)),
    ];
    const tooSmall = await s3Error(
      () => client.completeMultipart("runs/small.log", small, parts),
      "EntityTooSmall",
    );
    assert.match(tooSmall.message, /at least 5 MiB/);
    assert.ok(await client.abortMultipart("runs/small.log", small));
  }));

test("`S3Client.listMultipartUploads()` on RGW lists unfinished uploads until `abortMultipart()`", {
  skip: skipUnlessS3,
  timeout: 300_000,
}, () =>
  withRgwBucket(async (s3) => {
    const { client } = s3;
    const keys = ["runs/a/seg 1", "runs/b/seg+2&<x>", "other/seg"];
    const ids = new Map<string, string>();
    for (const key of keys) ids.set(key, await client.createMultipart(key));
    await client.uploadPart(
      "runs/a/seg 1",
      ids.get("runs/a/seg 1")!,
      1,
      new Uint8Array(5 * 1024 * 1024),
    );
    const listed = [];
    // One a page: the second page starts after the first's markers.
    for await (const upload of client.listMultipartUploads("runs/", { maxUploads: 1 })) {
      listed.push(upload);
    }
    assert.deepEqual(listed.map((u) => [u.key, u.uploadId]), [[
      "runs/a/seg 1",
      ids.get("runs/a/seg 1"),
    ], ["runs/b/seg+2&<x>", ids.get("runs/b/seg+2&<x>")]]);
    assert.ok(
      listed.every((u) =>
        u.initiated instanceof Date && Math.abs(u.initiated.getTime() - Date.now()) < 300_000
      ),
    );
    assert.equal(await client.head("runs/a/seg 1"), undefined, "an unfinished upload is invisible");
    for (const upload of listed) {
      assert.equal(await client.abortMultipart(upload.key, upload.uploadId), true);
    }
    assert.equal(
      await client.abortMultipart("runs/a/seg 1", ids.get("runs/a/seg 1")!),
      false,
      "already aborted",
    );
    await s3Error(
      () => client.uploadPart("runs/a/seg 1", ids.get("runs/a/seg 1")!, 2, new Uint8Array(1)),
      "NoSuchUpload",
    );
    const left = [];
    for await (const upload of client.listMultipartUploads("")) left.push(upload.key);
    assert.deepEqual(left, ["other/seg"]);
  }));

test(
  "`S3Client` on RGW: 404s are undefined or no-ops, a missing bucket is an error that says what to do",
  { skip: skipUnlessS3, timeout: 300_000 },
  () =>
    withRgwBucket(async (s3) => {
      assert.equal(await s3.client.get("missing"), undefined);
      assert.equal(await s3.client.head("missing"), undefined);
      await s3.client.delete("missing");
      const absent = new S3Client({ ...s3, bucket: `${s3.bucket}-absent` });
      for (
        const call of [
          () => absent.get("k"),
          () => absent.put("k", "v"),
          () => absent.put("k", "v", { ifMatch: "e" }),
          () => absent.list("").next(),
          () => absent.delete("k"),
        ]
      ) {
        const error = await s3Error(call, "NoSuchBucket");
        assert.equal(error.status, 404);
        assert.match(
          error.message,
          new RegExp(`s3://${s3.bucket}-absent.* at ${s3.endpoint}.*create the bucket`),
        );
      }
      assert.equal(
        await absent.head("k"),
        undefined,
        "HEAD cannot tell a missing bucket (documented)",
      );
      await s3Error(() => absent.createMultipart("k"), "NoSuchBucket");
    }),
);

test(
  "`S3Client` on RGW: wrong credentials and an unreachable endpoint fail clearly, without credentials in the message",
  { skip: skipUnlessS3, timeout: 300_000 },
  () =>
    withRgwBucket(async (s3) => {
      const wrongSecret = new S3Client({ ...s3, secretAccessKey: SECRET });
      const signature = await s3Error(() => wrongSecret.get("k"), "SignatureDoesNotMatch");
      assert.equal(signature.status, 403);
      assert.match(signature.message, /secret key does not match/);
      assertNoCredentials(signature.message, "the message");
      assert.ok(!signature.message.includes(s3.accessKeyId));
      const unknownKey = new S3Client({ ...s3, accessKeyId: KEY_ID, secretAccessKey: SECRET });
      const key = await s3Error(
        () => unknownKey.put("k", "v", { ifNoneMatch: "*" }),
        "InvalidAccessKeyId",
      );
      assertNoCredentials(key.message, "the message");
      assert.ok(!key.message.includes(s3.secretAccessKey));
      const head = await s3Error(() => unknownKey.head("k"), "AccessDenied");
      assert.match(head.message, /check AWS_ACCESS_KEY_ID/);
      // A port nothing listens on: 9 (discard) on loopback.
      const nowhere = new S3Client({ ...s3, endpoint: "http://127.0.0.1:9", timeoutMs: 10_000 });
      const network = await s3Error(() => nowhere.get("k"), "NetworkError");
      assert.match(
        network.message,
        /S3 get of s3:\/\/.*\/k at http:\/\/127\.0\.0\.1:9 failed with NetworkError; no answer/,
      );
      assert.ok(!network.message.includes(s3.secretAccessKey));
      const claim = await nowhere.put("k", "v", { ifNoneMatch: "*" });
      assert.ok(!claim.ok && claim.reason === "unknown" && claim.error.code === "NetworkError");
    }),
);
