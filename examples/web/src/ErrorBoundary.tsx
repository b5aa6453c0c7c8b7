import { Component, type ReactNode } from 'react'
import { ErrorBox } from './ui.tsx'

/** Catches a page that fails to render (or to load) and shows why instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: undefined as unknown }
  static getDerivedStateFromError(error: unknown) {
    return { error }
  }
  override render() {
    return this.state.error ? <ErrorBox error={this.state.error} title="This page failed" /> : this.props.children
  }
}
