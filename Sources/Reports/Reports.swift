import Reranking
