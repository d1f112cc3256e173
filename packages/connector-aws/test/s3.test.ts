import { TEST_CREDENTIALS } from './fixtures/aws-test-env.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import aws from '../src/index.js';
import { startS3rver, type LocalService } from './fixtures/local-aws.js';
import { callAws, LogCapture } from './fixtures/proxy-call.js';

const BUCKET = 'workflow-files';

describe('aws/UploadFileData', () => {
  let s3rver: LocalService;
  let proxy: RunningProxy;
  let reader: S3Client;
  const logs = new LogCapture();

  before(async () => {
    s3rver = await startS3rver([BUCKET]);
    proxy = await startProxy({ connectors: [aws], env: { ...TEST_CREDENTIALS, AWS_ENDPOINT_URL_S3: s3rver.url }, logStream: logs });
    reader = new S3Client({
      region: 'us-east-1',
      endpoint: s3rver.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  after(async () => {
    await proxy?.close();
    reader?.destroy();
    await s3rver?.close();
  });

  async function readObject(key: string): Promise<{ bytes: Buffer; contentType: string | undefined }> {
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { bytes: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType };
  }

  test('a data URL is stored byte for byte, with its media type', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const fileData = `data:application/octet-stream;name=all%20bytes.bin;base64,${bytes.toString('base64')}`;
    const answer = await callAws(proxy.url, 'UploadFileData', { file_data: fileData, bucket: BUCKET, object_name: 'uploads/all-bytes.bin' });
    assert.equal(answer.status, 200);
    assert.equal(answer.envelope.error, null);
    assert.equal(answer.envelope.command_response.http_status, 200);
    assert.deepEqual(answer.body, {
      bucket: BUCKET,
      object_name: 'uploads/all-bytes.bin',
      etag: createHash('md5').update(bytes).digest('hex'),
      size: 256,
      content_type: 'application/octet-stream',
      file_name: 'all bytes.bin',
    });
    const stored = await readObject('uploads/all-bytes.bin');
    assert.ok(stored.bytes.equals(bytes), 'the object holds exactly the uploaded bytes');
    assert.equal(stored.contentType, 'application/octet-stream');
  });

  test('media type parameters are kept; a data URL without a type is stored as octet-stream', async () => {
    const text = 'Grüße\n';
    const typed = await callAws(proxy.url, 'UploadFileData', {
      file_data: `data:text/plain;charset=utf-8;name=hello.txt;base64,${Buffer.from(text).toString('base64')}`,
      bucket: BUCKET,
      object_name: 'hello.txt',
    });
    assert.equal(typed.body.content_type, 'text/plain;charset=utf-8');
    const stored = await readObject('hello.txt');
    assert.equal(stored.bytes.toString('utf8'), text);
    assert.equal(stored.contentType, 'text/plain;charset=utf-8');

    const untyped = await callAws(proxy.url, 'UploadFileData', { file_data: 'data:;base64,', bucket: BUCKET, object_name: 'empty' });
    assert.equal(untyped.envelope.error, null);
    assert.equal(untyped.body.content_type, 'application/octet-stream');
    assert.equal(untyped.body.size, 0);
    assert.equal(untyped.body.file_name, null);
  });

  test('a missing bucket is S3BucketNotFound (404)', async () => {
    const answer = await callAws(proxy.url, 'UploadFileData', { file_data: 'data:text/plain;base64,aGk=', bucket: 'no-such-bucket', object_name: 'x' });
    assert.equal(answer.status, 200);
    assert.equal(answer.envelope.error?.error_code, 'S3BucketNotFound');
    assert.equal(answer.envelope.command_response.http_status, 404);
    assert.match(answer.envelope.error?.message ?? '', /no-such-bucket/);
  });

  test('a malformed data URL is a 400 naming file_data, and nothing is uploaded', async () => {
    const malformed = [
      'aGVsbG8=',
      'data:text/plain;base64',
      'data:text/plain,hello',
      'data:text/plain;base64,not*base64!',
      'data:text plain;base64,aGk=',
      'data:text/plain;oops;base64,aGk=',
    ];
    for (const file_data of malformed) {
      const answer = await callAws(proxy.url, 'UploadFileData', { file_data, bucket: BUCKET, object_name: 'malformed' });
      assert.equal(answer.status, 400, file_data);
      assert.equal(answer.envelope.error?.error_code, 'invalid_parameters', file_data);
      assert.match(answer.envelope.error?.message ?? '', /file_data/);
    }
    await assert.rejects(readObject('malformed'), (error: Error) => error.name === 'NoSuchKey');
  });

  test('keys S3 does not know are AwsAccessDenied (403), and no key shows in messages or logs', async () => {
    const secret = 'wJalrXUtnFEMI-not-a-real-secret';
    const stranger = await startProxy({
      connectors: [aws],
      env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: secret, AWS_ENDPOINT_URL_S3: s3rver.url },
      logStream: logs,
    });
    try {
      const answer = await callAws(stranger.url, 'UploadFileData', { file_data: 'data:text/plain;base64,aGk=', bucket: BUCKET, object_name: 'denied' });
      assert.equal(answer.envelope.error?.error_code, 'AwsAccessDenied');
      assert.equal(answer.envelope.command_response.http_status, 403);
      const everything = JSON.stringify(answer.envelope) + logs.text;
      for (const credential of [secret, 'AKIAIOSFODNN7EXAMPLE', 'S3RVER']) assert.equal(everything.includes(credential), false, credential);
    } finally {
      await stranger.close();
    }
  });
});
