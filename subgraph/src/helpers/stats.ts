/** Day and hour buckets, updated by the same handler as the event they count. */
import { BigDecimal, BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  AccountTokenStats,
  MarketDayData,
  MarketHourData,
  Model,
  ModelDayData,
  ModelTokenDayData,
  ModelTokenStats,
  PaymentToken,
  TokenDayData,
  TokenHourData,
} from "../../generated/schema";
import { SECONDS_PER_DAY, SECONDS_PER_HOUR, ZERO_BD, ZERO_BI } from "./constants";

/** floor(timestamp / 86400): the UTC day number, id of the day buckets. */
export function dayId(timestamp: BigInt): i32 {
  return timestamp.toI32() / SECONDS_PER_DAY;
}

/** floor(timestamp / 3600): the UTC hour number, id of the hour buckets. */
export function hourId(timestamp: BigInt): i32 {
  return timestamp.toI32() / SECONDS_PER_HOUR;
}

const MARKET_COUNTERS = [
  "orderCount",
  "salesCount",
  "refundCount",
  "newModelCount",
  "newVersionCount",
  "newAccountCount",
  "newBuyerCount",
  "newSellerCount",
  "disputesOpened",
  "disputesResolved",
  "reviewCount",
  "evaluationCount",
];

function marketDay(timestamp: BigInt): MarketDayData {
  let day = dayId(timestamp);
  let id = day.toString();
  let entity = MarketDayData.load(id);
  if (entity != null) return entity;
  entity = new MarketDayData(id);
  entity.date = day * SECONDS_PER_DAY;
  for (let i = 0; i < MARKET_COUNTERS.length; i++) entity.setI32(MARKET_COUNTERS[i], 0);
  return entity;
}

function marketHour(timestamp: BigInt): MarketHourData {
  let hour = hourId(timestamp);
  let id = hour.toString();
  let entity = MarketHourData.load(id);
  if (entity != null) return entity;
  entity = new MarketHourData(id);
  entity.hourStartUnix = hour * SECONDS_PER_HOUR;
  for (let i = 0; i < MARKET_COUNTERS.length; i++) entity.setI32(MARKET_COUNTERS[i], 0);
  return entity;
}

/** Adds `by` to a counter (one of MARKET_COUNTERS) of the event's day and hour. */
export function countInMarket(event: ethereum.Event, field: string, by: i32): void {
  let day = marketDay(event.block.timestamp);
  day.setI32(field, day.getI32(field) + by);
  day.save();
  let hour = marketHour(event.block.timestamp);
  hour.setI32(field, hour.getI32(field) + by);
  hour.save();
}

const TOKEN_AMOUNTS = ["volume", "settledVolume", "fees", "sellerRevenue", "refunded"];

function tokenDay(timestamp: BigInt, token: Bytes): TokenDayData {
  let day = dayId(timestamp);
  let id = token.toHexString() + "-" + day.toString();
  let entity = TokenDayData.load(id);
  if (entity != null) return entity;
  entity = new TokenDayData(id);
  entity.date = day * SECONDS_PER_DAY;
  entity.token = token;
  entity.marketDay = day.toString();
  entity.orderCount = 0;
  for (let i = 0; i < TOKEN_AMOUNTS.length; i++) entity.setBigInt(TOKEN_AMOUNTS[i], ZERO_BI);
  // The market day the token bucket hangs off must exist for the nested query.
  marketDay(timestamp).save();
  return entity;
}

function tokenHour(timestamp: BigInt, token: Bytes): TokenHourData {
  let hour = hourId(timestamp);
  let id = token.toHexString() + "-" + hour.toString();
  let entity = TokenHourData.load(id);
  if (entity != null) return entity;
  entity = new TokenHourData(id);
  entity.hourStartUnix = hour * SECONDS_PER_HOUR;
  entity.token = token;
  entity.marketHour = hour.toString();
  entity.orderCount = 0;
  for (let i = 0; i < TOKEN_AMOUNTS.length; i++) entity.setBigInt(TOKEN_AMOUNTS[i], ZERO_BI);
  marketHour(timestamp).save();
  return entity;
}

/** Adds `amount` to a money total (one of TOKEN_AMOUNTS) of the token and of its day and hour buckets. */
export function addTokenAmount(event: ethereum.Event, token: Bytes, field: string, amount: BigInt): void {
  let total = PaymentToken.load(token)!;
  total.setBigInt(field, total.getBigInt(field).plus(amount));
  total.save();
  let day = tokenDay(event.block.timestamp, token);
  day.setBigInt(field, day.getBigInt(field).plus(amount));
  day.save();
  let hour = tokenHour(event.block.timestamp, token);
  hour.setBigInt(field, hour.getBigInt(field).plus(amount));
  hour.save();
}

/** Counts a paid order in the token's totals and buckets. */
export function countTokenOrder(event: ethereum.Event, token: Bytes): void {
  let total = PaymentToken.load(token)!;
  total.orderCount += 1;
  total.save();
  let day = tokenDay(event.block.timestamp, token);
  day.orderCount += 1;
  day.save();
  let hour = tokenHour(event.block.timestamp, token);
  hour.orderCount += 1;
  hour.save();
}

/** The model's bucket of the event's day, its rating average brought up to date; the caller saves it. */
export function modelDay(event: ethereum.Event, model: Model): ModelDayData {
  let day = dayId(event.block.timestamp);
  let id = model.id + "-" + day.toString();
  let entity = ModelDayData.load(id);
  if (entity == null) {
    entity = new ModelDayData(id);
    entity.date = day * SECONDS_PER_DAY;
    entity.model = model.id;
    entity.orderCount = 0;
    entity.salesCount = 0;
    entity.refundCount = 0;
    entity.reviewCount = 0;
    entity.ratingSum = 0;
  }
  entity.ratingAverage = model.ratingAverage;
  return entity;
}

/** `amount` divided by 10^decimals of the token; the raw amount when the token reports no decimals. */
export function toDecimal(amount: BigInt, token: Bytes): BigDecimal {
  // An unset decimals reads as 0: the divisor is then 1.
  let decimals = PaymentToken.load(token)!.decimals;
  return amount.toBigDecimal().div(BigInt.fromI32(10).pow(<u8>decimals).toBigDecimal());
}

/**
 * A paid order that ended licensed: its seller proceeds and what the buyer paid (proceeds plus fee),
 * added to the per-token totals of the model (all time and `modelDay`'s day), the seller and the buyer.
 */
export function countPaidSale(modelDay: ModelDayData, token: Bytes, seller: Bytes, buyer: Bytes, proceeds: BigInt, paid: BigInt): void {
  let tokenHex = token.toHexString();
  let statsId = modelDay.model + "-" + tokenHex;
  let stats = ModelTokenStats.load(statsId);
  if (stats == null) {
    stats = new ModelTokenStats(statsId);
    stats.model = modelDay.model;
    stats.token = token;
    stats.paidSalesCount = 0;
    stats.revenue = ZERO_BI;
    stats.settledVolume = ZERO_BI;
  }
  stats.paidSalesCount += 1;
  stats.revenue = stats.revenue.plus(proceeds);
  stats.settledVolume = stats.settledVolume.plus(paid);
  stats.revenueDecimal = toDecimal(stats.revenue, token);
  stats.settledVolumeDecimal = toDecimal(stats.settledVolume, token);
  stats.save();

  let dayId = modelDay.model + "-" + tokenHex + "-" + (modelDay.date / SECONDS_PER_DAY).toString();
  let day = ModelTokenDayData.load(dayId);
  if (day == null) {
    day = new ModelTokenDayData(dayId);
    day.date = modelDay.date;
    day.model = modelDay.model;
    day.token = token;
    day.modelDay = modelDay.id;
    day.paidSalesCount = 0;
    day.revenue = ZERO_BI;
    day.settledVolume = ZERO_BI;
  }
  day.paidSalesCount += 1;
  day.revenue = day.revenue.plus(proceeds);
  day.settledVolume = day.settledVolume.plus(paid);
  day.revenueDecimal = toDecimal(day.revenue, token);
  day.settledVolumeDecimal = toDecimal(day.settledVolume, token);
  day.save();

  let sellerStats = accountTokenStats(seller, token);
  sellerStats.salesCount += 1;
  sellerStats.revenue = sellerStats.revenue.plus(proceeds);
  sellerStats.revenueDecimal = toDecimal(sellerStats.revenue, token);
  sellerStats.save();
  let buyerStats = accountTokenStats(buyer, token);
  buyerStats.purchaseCount += 1;
  buyerStats.spent = buyerStats.spent.plus(paid);
  buyerStats.spentDecimal = toDecimal(buyerStats.spent, token);
  buyerStats.save();
}

function accountTokenStats(account: Bytes, token: Bytes): AccountTokenStats {
  let id = account.toHexString() + "-" + token.toHexString();
  let stats = AccountTokenStats.load(id);
  if (stats != null) return stats;
  stats = new AccountTokenStats(id);
  stats.account = account;
  stats.token = token;
  stats.salesCount = 0;
  stats.revenue = ZERO_BI;
  stats.revenueDecimal = ZERO_BD;
  stats.purchaseCount = 0;
  stats.spent = ZERO_BI;
  stats.spentDecimal = ZERO_BD;
  return stats;
}
