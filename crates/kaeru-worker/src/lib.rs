// kaeru-worker
