import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';
import { isUri } from '../uri.js';

/**
 * The web addresses a SARIF log can give: tool.driver.informationUri (where to learn about ixaudit)
 * and, per rule, helpUri (the control's section of docs/controls.md). SARIF requires both to be
 * absolute URIs, so they can only come from a real address of the project: package.json `homepage`,
 * else `repository`. With neither, both are left out rather than invented.
 */
export interface SarifLinks {
  /** Absolute URI of the project's home page (tool.driver.informationUri). */
  informationUri?: string;
  /** Absolute URI of docs/controls.md as rendered on the web; rules link to `#<heading anchor>` in it. */
  controlsDocUri?: string;
  /** The anchor of each control's section in docs/controls.md (`### <id> — <title>`), by control id. */
  controlAnchors?: ReadonlyMap<string, string>;
}

type Repository = string | { type?: string; url?: string; directory?: string } | undefined;

/**
 * The browsable https address of a repository field (npm's forms: `git+https://host/o/r.git`,
 * `git@host:o/r.git`, `github:o/r`, `gitlab:o/r`, bare `o/r` for GitHub), and its monorepo directory.
 */
export function repositoryWebUrl(repository: Repository): { url: string; host: string; directory: string } | undefined {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw) return undefined;
  const directory = (typeof repository === 'object' ? (repository.directory ?? '') : '').replace(/^\/+|\/+$/g, '');
  let url = raw.trim();
  const shorthand = /^(?:(github|gitlab|bitbucket):)?([\w.-]+\/[\w.-]+)$/.exec(url);
  if (shorthand)
    url = `https://${{ github: 'github.com', gitlab: 'gitlab.com', bitbucket: 'bitbucket.org' }[shorthand[1] ?? 'github']}/${shorthand[2]}`;
  url = url
    .replace(/^git\+/, '')
    .replace(/^git@([^:]+):/, 'https://$1/')
    .replace(/^(?:git|ssh):\/\/(?:git@)?/, 'https://')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const match = /^https?:\/\/([^/]+)\/[^/]+\/[^/]+$/.exec(url);
  if (!match || !isUri(url)) return undefined;
  return { url: url.replace(/^http:/, 'https:'), host: match[1].toLowerCase(), directory };
}

/** The links package.json supports; an address that is not an absolute URI is ignored. */
export function linksFromPackage(pkg: { homepage?: unknown; repository?: unknown }): SarifLinks {
  const repo = repositoryWebUrl(pkg.repository as Repository);
  const homepage =
    typeof pkg.homepage === 'string' && isUri(pkg.homepage) && /^https?:/.test(pkg.homepage) ? pkg.homepage : undefined;
  const prefix = repo?.directory ? `${repo.directory}/` : '';
  // A file's web address is host-specific; only the hosts whose form is known get a controls link.
  const blob = repo ? { 'github.com': '/blob/HEAD/', 'gitlab.com': '/-/blob/HEAD/' }[repo.host] : undefined;
  return {
    ...((homepage ?? repo) ? { informationUri: homepage ?? repo!.url } : {}),
    ...(repo && blob ? { controlsDocUri: `${repo.url}${blob}${prefix}docs/controls.md` } : {}),
  };
}

let packageLinks: SarifLinks | undefined;

/** The links of ixaudit's own package.json, with the control sections its docs/controls.md has (read once). */
export function defaultSarifLinks(): SarifLinks {
  if (packageLinks) return packageLinks;
  const links = linksFromPackage(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')));
  if (links.controlsDocUri) {
    try {
      links.controlAnchors = controlAnchors(readFileSync(join(packageRoot, 'docs', 'controls.md'), 'utf8'));
    } catch {
      delete links.controlsDocUri; // no docs/controls.md shipped: nothing to link to
    }
  }
  packageLinks = links;
  return links;
}

/** Each control section of docs/controls.md (`### ICX-RT-02 — No failover …`): control id → heading anchor. */
export function controlAnchors(markdown: string): Map<string, string> {
  const anchors = new Map<string, string>();
  for (const match of markdown.matchAll(/^#{2,6}[ \t]+(([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)[ \t]+—[ \t].*?)[ \t#]*$/gmu)) {
    if (!anchors.has(match[2])) anchors.set(match[2], headingAnchor(match[1]));
  }
  return anchors;
}

/**
 * The anchor GitHub and GitLab give a Markdown heading: lower case, punctuation other than `-` and `_`
 * dropped, each space a hyphen. docs/controls.md has `### ICX-RT-02 — No failover to a high-risk
 * carrier`, hence `icx-rt-02--no-failover-to-a-high-risk-carrier` (the dash goes, its spaces stay).
 */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/**
 * The rule's help page: its section in docs/controls.md, when that file has a web address and documents
 * the control (a tailored catalog's own controls and the engine's ICX-ENGINE have no section: no link).
 */
export function controlHelpUri(links: SarifLinks | undefined, controlId: string): string | undefined {
  const anchor = links?.controlAnchors?.get(controlId);
  if (!links?.controlsDocUri || anchor === undefined) return undefined;
  return `${links.controlsDocUri}#${encodeURIComponent(anchor)}`;
}
