import { AccountClient } from '@infernetprotocol/sdk';

let client: AccountClient | undefined;

/**
 * The one AccountClient of this page. Created on first use in the browser,
 * where the page's origin is the control plane that holds the session cookie.
 */
export function accountClient(): AccountClient {
  client ??= new AccountClient();
  return client;
}
