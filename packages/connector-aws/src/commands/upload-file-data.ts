import { defineCommand, invalidParameters, parseDataUrl, Type, type CommandContext, type ParameterProblem } from '@connector-proxy/sdk';
import type { AwsConfig } from '../aws-config.js';
import { awsFailure } from '../aws-failure.js';

/** `aws/UploadFileData`: stores the file of a data URL as an S3 object. */
export const uploadFileData = defineCommand({
  name: 'UploadFileData',
  description: 'Uploads a file given as a data URL (data:<mime>;name=<file>;base64,<data>) to an S3 bucket.',
  parameters: {
    file_data: Type.String({
      description: "The file as a data URL data:<mime>;name=<file>;base64,<data>, as SpiffArena's file widget makes it",
    }),
    bucket: Type.String({ minLength: 1, description: 'Name of the S3 bucket, e.g. invoices (no /: folders go in object_name)' }),
    object_name: Type.String({ minLength: 1, description: 'The key to store the file under, folders included, e.g. 2024/invoice-7.pdf' }),
  },
  async run({ file_data, bucket, object_name }, ctx: CommandContext<AwsConfig>) {
    const parsed = parseDataUrl(file_data);
    const problems = locationProblems(bucket, object_name);
    if (!parsed.ok) problems.unshift({ parameter: 'file_data', message: parsed.problem });
    if (problems.length > 0 || !parsed.ok) throw invalidParameters(problems);
    const { file } = parsed;
    const { s3, sdk } = await ctx.config.clients();
    let output;
    try {
      output = await s3.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: object_name,
          Body: file.bytes,
          ContentLength: file.bytes.length,
          ContentType: file.mediaType,
        }),
        { abortSignal: ctx.signal },
      );
    } catch (error) {
      throw awsFailure(error, { service: 'S3', bucket });
    }
    ctx.log.info(`Uploaded ${file.bytes.length} bytes to S3 bucket "${bucket}"`);
    return {
      body: {
        bucket,
        object_name,
        // S3 quotes the ETag (an HTTP entity tag); the workflow wants the value.
        etag: output.ETag?.replace(/^"|"$/g, '') ?? null,
        size: file.bytes.length,
        content_type: file.mediaType,
        file_name: file.fileName ?? null,
      },
      httpStatus: output.$metadata.httpStatusCode ?? 200,
    };
  },
});

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What the S3 client cannot put into a request's URL. It refuses these only once the call is
 * under way, as if S3 had failed; they are the caller's mistakes.
 */
function locationProblems(bucket: string, objectName: string): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  if (bucket.includes('/')) problems.push({ parameter: 'bucket', message: "must be a bucket name, without '/' (folders belong in object_name)" });
  for (const [parameter, value] of [['bucket', bucket], ['object_name', objectName]] as const) {
    if (LONE_SURROGATE.test(value)) problems.push({ parameter, message: 'has a broken character (an unpaired UTF-16 surrogate)' });
  }
  return problems;
}
