export { AccessModule } from './access.module';
import { ApiToken } from './api-token.entity';
export { ApiToken };
export { type AccessOptions, AUTH_FAILURES_PREFIX, Authenticator } from './authenticator';
export { routeTable, type RouteEntry } from './route-table';
export { CreateToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, type TokenView } from './token.dto';
export { hashToken, TokensService } from './tokens.service';

export const ACCESS_ENTITIES = [ApiToken];
