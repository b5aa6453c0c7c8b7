/** The subgraph's name in `/subgraphs/name/<name>`, as deployed on a graph-node and served by devnode. */
export const subgraphName = 'ai-model-marketplace'
