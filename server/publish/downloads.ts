import {
  capabilitiesCsv, registryJson, registryText, registryXml, responseCodesCsv, type Chunks, type PublishedRegistry,
} from './render.ts'

export type Renderer = (registry: PublishedRegistry) => Chunks

/**
 * What each download renders, by its URL. A worker thread is told which by the URL alone
 * (functions cannot cross to it), so the table is the one place that ties the two.
 */
export const RENDERERS = {
  '/v1/capabilities.csv': (registry) => capabilitiesCsv(registry.capabilities.all()),
  '/v1/response-codes.csv': (registry) => responseCodesCsv(registry.responseCodes.all()),
  '/v1/registry.xml': registryXml,
  '/v1/registry.txt': registryText,
  '/v1/registry.json': registryJson,
} as const satisfies Record<string, Renderer>

export type DownloadUrl = keyof typeof RENDERERS

/** The downloads that carry the RFC statuses too: their Last-Modified moves with an RFC load. */
export const CARRIES_RFCS: ReadonlySet<DownloadUrl> = new Set(['/v1/registry.json'])
export type Renderers = Record<DownloadUrl, Renderer>

/** One rendering asked for: a download, of the registry now or as it stood on a day. */
export interface RenderingOf {
  url: DownloadUrl
  asOf?: string | undefined
}

/** The name a rendering is kept under. */
export const renderingName = ({ url, asOf }: RenderingOf) => (asOf === undefined ? url : `${url}?asOf=${asOf}`)
