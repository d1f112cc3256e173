/**
 * The example connector: copy this package to start your own (docs/writing-a-connector.md).
 * Its default export is what the proxy loads through CONNECTOR_PROXY_CONNECTORS.
 */
import { defineConnector } from '@connector-proxy/sdk';
import { ExampleErrorCodes } from './errors.js';
import { greet } from './commands/greet.js';
import { loadGreetings, type ExampleConfig } from './greetings.js';

export { ExampleErrorCodes } from './errors.js';

export default defineConnector<ExampleConfig>({
  name: 'example',
  description: 'Greets people: the template for new connectors',
  setup: ({ env }) => loadGreetings(env.CONNECTOR_PROXY_EXAMPLE_GREETINGS),
  commands: [greet],
  errorCodes: Object.values(ExampleErrorCodes),
});
