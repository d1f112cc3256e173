/** What `setup` makes once at start and every call of the connector's commands receives. */
export interface ExampleConfig {
  /** Greetings by language code, from the built-in list plus `CONNECTOR_PROXY_EXAMPLE_GREETINGS`. */
  greetings: ReadonlyMap<string, string>;
}

const BUILT_IN: ReadonlyArray<[string, string]> = [
  ['en', 'Hello'],
  ['fr', 'Bonjour'],
  ['de', 'Hallo'],
];

/** Parses `xx=Greeting,yy=Greeting` (a connector's configuration comes from the environment). */
export function loadGreetings(extra: string | undefined): ExampleConfig {
  const greetings = new Map(BUILT_IN);
  for (const pair of (extra ?? '').split(',')) {
    const [language, greeting] = pair.split('=').map((part) => part.trim());
    if (language && greeting) greetings.set(language, greeting);
  }
  return { greetings };
}
