import * as df from "durable-functions";
import { appErrorProperties } from "../shared/functionsApp/appErrorProperties";

// App-wide, once per worker: an activity's AppError code travels in its Durable failure details.
df.app.setExceptionPropertiesProvider(appErrorProperties);
