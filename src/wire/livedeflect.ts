/**
 * What the gateway and the simulator agree on about the LiveDeflect endpoint (livedeflect-api.md): the
 * one path, and the window a request asks for. Defined once, so the two sides cannot drift apart.
 */

export const LIVEDEFLECT_PATH = '/api/getLiveDeflectData/v2';

/**
 * The body of a getLiveDeflectData request, read as numbers (the wire sends the times as strings): the
 * site, and the window [startTime, endTime) in epoch ms whose calls, by begin time, the answer holds.
 */
export interface WindowRequest {
  readonly siteId: string;
  readonly startTime: number;
  readonly endTime: number;
}
