import { commandError, type CommandError } from '@connector-proxy/sdk';

/** This connector's stable error codes: BPMN boundary events catch by these, so never rename one. */
export const ExampleErrorCodes = {
  unknownLanguage: 'GreetingLanguageUnknown',
} as const;

/** Every error this connector reports is made by a function here (one factory per package). */
export function unknownLanguage(language: string, known: readonly string[]): CommandError {
  return commandError({
    code: ExampleErrorCodes.unknownLanguage,
    status: 400,
    message: `No greeting in ${JSON.stringify(language)}; known languages: ${known.join(', ')}`,
  });
}
