import * as df from "durable-functions";
import {
  appServices,
  invocationLogger,
  respondSafely,
  sharePointWebhook,
  subscriptionKeeper,
} from "../shared/functionsApp";
import { DurableSyncStarter } from "../shared/syncStart";

// POST /api/webhooks/sharePoint: Graph's change and lifecycle notifications, and its validation handshake.
// Anonymous, because Graph cannot send a function key; every notification is checked against its clientState.
// The services (storage) are opened only for notifications: the handshake must not wait for, or fail with, them.
df.app.client.http("sharePointWebhook", {
  route: "webhooks/sharepoint",
  methods: ["POST"],
  authLevel: "anonymous",
  handler: (request, client, context) => {
    const logger = invocationLogger(context);
    return respondSafely(logger, () =>
      sharePointWebhook(request, {
        logger,
        services: async () => {
          const services = await appServices();
          return {
            subscriptions: services.state.subscriptions,
            profiles: services.config.profiles,
            starter: new DurableSyncStarter(client, { logger }),
            keeper: async () => subscriptionKeeper(services, logger),
            logger,
          };
        },
      }),
    );
  },
});
