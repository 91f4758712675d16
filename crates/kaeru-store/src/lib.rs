// kaeru-store
