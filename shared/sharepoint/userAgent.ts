/**
 * SharePoint prioritises "decorated" traffic: `ISV|CompanyName|AppName/Version` for an ISV application ("Traffic is
 * undecorated if there's no AppID/AppTitle and User Agent string in API calls to SharePoint Online").
 */
export interface UserAgentOptions {
  /** Publisher name in the decoration. */
  company?: string;
  /** This app's version. */
  version?: string;
}

export const APP_NAME = "ConfluenceSync";
export const DEFAULT_COMPANY = "ConfluenceSync";
export const APP_VERSION = "0.1.0";

export function graphUserAgent(options: UserAgentOptions = {}): string {
  // `|` separates the parts; a company name must not smuggle in another one.
  const company = (options.company ?? DEFAULT_COMPANY).replace(/[|\r\n]/g, " ").trim();
  return `ISV|${company}|${APP_NAME}/${options.version ?? APP_VERSION}`;
}
