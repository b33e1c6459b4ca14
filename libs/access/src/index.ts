export { AccessModule } from './access.module';
import { ApiToken } from './api-token.entity';
import { UserAccount, UserSession } from './user-account.entity';
export { ApiToken, UserAccount, UserSession };
export { type AccessOptions, AUTH_FAILURES_PREFIX, Authenticator } from './authenticator';
export { routeTable, type RouteEntry } from './route-table';
export { CreateToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, type TokenView } from './token.dto';
export { hashToken, TokensService } from './tokens.service';

export const ACCESS_ENTITIES = [ApiToken, UserAccount, UserSession];
export { AccountsService, SESSION_COOKIE, SESSION_HOURS } from './accounts.service';
export { CreateUser, MIN_PASSWORD, type UserView } from './account.dto';
