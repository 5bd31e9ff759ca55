import { app } from "@azure/functions";
import { appServices, hourlyMaintenance, invocationLogger } from "../shared/functionsApp";

// Hourly (at minute 7, away from the sync's 5-minute ticks): keeps every enabled profile subscribed to its list's
// change notifications — renewed when less than 48 h is left, recreated when Graph lost it, created when missing.
// Hourly rather than daily so that a newly imported profile gets its webhook within the hour. Then sweeps expired
// consent states and old token claims (docs/operations.md#housekeeping), at no cost of a trigger of its own.
app.timer("subscriptionRenewal", {
  schedule: "0 7 * * * *",
  handler: async (_timer, context) => {
    const logger = invocationLogger(context);
    await hourlyMaintenance(await appServices(), logger);
  },
});
