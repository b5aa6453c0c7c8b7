/** A verdict, as attested on-chain. */
export type EvaluationVerdict = 'pass' | 'warn' | 'fail'

/** One problem an evaluation found; `code` is stable across releases of a suite. */
export type EvaluationFinding = {
  severity: 'info' | 'warn' | 'fail'
  code: string
  message: string
  /** The file inside the model it concerns, when it concerns one. */
  file?: string
}

/** The JSON report an evaluator adds to the store and attests by URI. */
export type EvaluationReport = {
  /** Detected model format, e.g. `safetensors`, `onnx`, `gguf`, `pytorch`, `unknown`. */
  format: string
  verdict: EvaluationVerdict
  findings: EvaluationFinding[]
  /** Measured figures, e.g. `{ accuracy: 0.93, latencyP95Ms: 1.2 }`. */
  metrics: Record<string, number>
}

export const verdictIndex = { pass: 1, warn: 2, fail: 3 } as const
