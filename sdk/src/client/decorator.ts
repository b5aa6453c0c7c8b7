import { ruleDispute } from '../actions/arbiter/ruleDispute.ts'
import { buyModel } from '../actions/buyer/buyModel.ts'
import { confirmOrder } from '../actions/buyer/confirmOrder.ts'
import { downloadModel } from '../actions/buyer/downloadModel.ts'
import { offerSettlement } from '../actions/buyer/offerSettlement.ts'
import { proveBadDelivery } from '../actions/buyer/proveBadDelivery.ts'
import { disputeOrder } from '../actions/buyer/disputeOrder.ts'
import { quote } from '../actions/buyer/quote.ts'
import { refundOrder } from '../actions/buyer/refundOrder.ts'
import { reviewOrder } from '../actions/buyer/reviewOrder.ts'
import { submitEvidence } from '../actions/buyer/submitEvidence.ts'
import { attestEvaluation } from '../actions/evaluator/attestEvaluation.ts'
import { getEvaluations } from '../actions/evaluator/getEvaluations.ts'
import { openEvaluationRequest } from '../actions/evaluator/openEvaluationRequest.ts'
import { requestEvaluation } from '../actions/evaluator/requestEvaluation.ts'
import { setEvaluatorKey } from '../actions/evaluator/setEvaluatorKey.ts'
import { getAccount } from '../actions/public/getAccount.ts'
import { getModel } from '../actions/public/getModel.ts'
import { getOrders } from '../actions/public/getOrders.ts'
import { marketStats } from '../actions/public/marketStats.ts'
import { searchModels } from '../actions/public/searchModels.ts'
import { setProfile } from '../actions/public/setProfile.ts'
import { declineOrder } from '../actions/seller/declineOrder.ts'
import { delist } from '../actions/seller/delist.ts'
import { deliverOrder } from '../actions/seller/deliverOrder.ts'
import { listModel } from '../actions/seller/listModel.ts'
import { publishVersion } from '../actions/seller/publishVersion.ts'
import { relist } from '../actions/seller/relist.ts'
import { setPrice } from '../actions/seller/setPrice.ts'
import { startSellerAgent } from '../actions/seller/startSellerAgent.ts'
import { updateModel } from '../actions/seller/updateModel.ts'
import { withdraw } from '../actions/seller/withdraw.ts'
import type { MarketplaceClientConfig } from './types.ts'

type Bound<fn> = fn extends (client: MarketplaceClientConfig, ...rest: infer rest) => infer result ? (...rest: rest) => result : never

const actions = {
  // seller
  listModel,
  publishVersion,
  updateModel,
  setPrice,
  delist,
  relist,
  deliverOrder,
  declineOrder,
  startSellerAgent,
  withdraw,
  // buyer
  quote,
  buyModel,
  downloadModel,
  proveBadDelivery,
  offerSettlement,
  confirmOrder,
  disputeOrder,
  submitEvidence,
  refundOrder,
  reviewOrder,
  // arbiter and evaluator
  ruleDispute,
  attestEvaluation,
  requestEvaluation,
  setEvaluatorKey,
  openEvaluationRequest,
  getEvaluations,
  // everyone
  setProfile,
  getModel,
  searchModels,
  getOrders,
  getAccount,
  marketStats,
}

export type MarketplaceActions = { [name in keyof typeof actions]: Bound<(typeof actions)[name]> }

/** Binds every action to `client`: `client.buyModel(p)` is `buyModel(client, p)`. */
export function marketplaceActions(client: MarketplaceClientConfig): MarketplaceActions {
  return Object.fromEntries(
    Object.entries(actions).map(([name, action]) => [name, (...args: unknown[]) => (action as (...a: unknown[]) => unknown)(client, ...args)]),
  ) as MarketplaceActions
}
