export { AppError, isAppError } from "./appError";
