import { Address, BigDecimal, BigInt } from "@graphprotocol/graph-ts";

export const ZERO_BI = BigInt.zero();
export const ZERO_BD = BigDecimal.zero();
export const ZERO_ADDRESS = Address.zero();

/** Id of the singleton `Protocol` entity. */
export const PROTOCOL_ID = "1";

export const SECONDS_PER_DAY = 86400;
export const SECONDS_PER_HOUR = 3600;

/** `ProtocolContract` enum values, one per data source. */
export const PLATFORM_TOKEN = "PlatformToken";
export const MODEL_REGISTRY = "ModelRegistry";
export const MARKETPLACE = "Marketplace";
export const ARBITRATION = "Arbitration";
export const REPUTATION = "Reputation";
export const EVALUATIONS = "Evaluations";

/** `OrderStatus` enum values (IMarketplace.OrderStatus). */
export const STATUS_CREATED = "Created";
export const STATUS_DELIVERED = "Delivered";
export const STATUS_COMPLETED = "Completed";
export const STATUS_REFUNDED = "Refunded";
export const STATUS_DISPUTED = "Disputed";
export const STATUS_RESOLVED = "Resolved";
