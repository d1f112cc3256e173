import { defineCommand, Type, type CommandContext } from '@connector-proxy/sdk';
import { unknownLanguage } from '../errors.js';
import type { ExampleConfig } from '../greetings.js';

/** `example/Greet`: greets someone by name, in a language the connector knows. */
export const greet = defineCommand({
  name: 'Greet',
  description: 'Greets someone by name, in a language the connector knows, and answers {"greeting": "..."}',
  parameters: {
    name: Type.String({ minLength: 1, description: 'Who to greet, e.g. Ada' }),
    language: Type.Optional(Type.String({ description: 'A language code: en (the default), fr, de, or one added with CONNECTOR_PROXY_EXAMPLE_GREETINGS' })),
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, description: 'How many times to greet, 1 to 3 (default 1)' })),
  },
  async run({ name, language = 'en', times = 1 }, context: CommandContext<ExampleConfig>) {
    const greeting = context.config.greetings.get(language);
    if (greeting === undefined) throw unknownLanguage(language, [...context.config.greetings.keys()]);
    context.log.info(`greeting in ${language}`);
    return { body: { greeting: Array.from({ length: times }, () => `${greeting}, ${name}!`).join(' ') } };
  },
});
