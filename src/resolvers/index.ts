import type { Resolvers } from '../generated/resolvers.js';
import { Call } from './Call.js';
import { CallConnection, CallEdge, DeflectionEvent, DeflectionEventConnection, DeflectionEventEdge } from './connections.js';
import { Query } from './Query.js';
import { DateTimeScalar, JSONObjectScalar } from './scalars.js';
import { Site } from './Site.js';
import { Subscription } from './Subscription.js';

export const resolvers: Resolvers = {
  Query,
  Subscription,
  Site,
  Call,
  CallConnection,
  CallEdge,
  DeflectionEventConnection,
  DeflectionEventEdge,
  DeflectionEvent,
  DateTime: DateTimeScalar,
  JSONObject: JSONObjectScalar,
};
